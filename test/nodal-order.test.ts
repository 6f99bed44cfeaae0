/**
 * Nodal prices belong to their buses whatever the order the file lists them in: the feeder
 * numbers its buses breadth-first from the slack, the reports follow the file (a bug once
 * reported the 33-bus feeder's nodal prices in the feeder's order under the file's bus ids).
 */
import { describe, expect, it } from 'vitest';
import { clearMarket } from '../src/market/clear.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { chainNetwork } from './helpers/feeders.ts';

describe('nodal prices in a file that lists its buses out of the feeder\'s order', () => {
  it('puts 7.8 behind the binding line at bus 2, 5.4 before it, as economics.test.ts\'s chain', async () => {
    const network = chainNetwork(3);
    network.lines[1]!.maxKw = 4;
    network.buses = ['2', '0', '1'];
    const scenario = parseScenario({
      name: 'order',
      steps: 1,
      stepHours: 1,
      network,
      utility: { bus: '0', tariff: { buyPerKwh: -100, sellPerKwh: 100 } },
      prosumers: [
        { id: 'p1', bus: '1', scheduleKw: [0], battery: { initialKwh: 500, minKwh: 0, maxKwh: 1000, maxChargeKw: 200, maxDischargeKw: 200 }, costBid: { quadraticPerKw2h: 0.1, linearPerKwh: 5 } },
        { id: 'p2', bus: '2', scheduleKw: [0], battery: { initialKwh: 500, minKwh: 0, maxKwh: 1000, maxChargeKw: 200, maxDischargeKw: 200 }, costBid: { quadraticPerKw2h: 0.3, linearPerKwh: 9 } },
      ],
    });
    const result = await clearMarket(scenario);
    expect(result.status).toBe('optimal');
    const byId = Object.fromEntries(result.steps[0]!.buses.map((b) => [b.id, b.nodalPricePerKwh]));
    expect(result.steps[0]!.buses.map((b) => b.id)).toEqual(['2', '0', '1']);
    expect(byId).toEqual({ '0': expect.closeTo(5.4, 4), '1': expect.closeTo(5.4, 4), '2': expect.closeTo(7.8, 4) });
  });
});
