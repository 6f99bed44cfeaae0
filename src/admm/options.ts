/**
 * The negotiated clearing's settings (`market.admm` in a scenario), with their defaults. Only
 * zod here, so that the scenario schema can take it without an import cycle.
 */
import { z } from 'zod';

const latency = z.union([
  z.number().min(0).max(1e9),
  z.strictObject({
    minMs: z.number().min(0).max(1e9).describe('Shortest delivery time of a message, ms'),
    maxMs: z.number().min(0).max(1e9).describe('Longest delivery time of a message, ms'),
  }),
], { error: 'must be a number of ms, or { "minMs", "maxMs" } for a random latency' });

export const AdmmSchema = z.strictObject({
  rho: z.number().positive().max(1e9).default(1).describe('ρ: the initial penalty of disagreement, objective units per kW² (changed by residual balancing)'),
  tolerance: z.number().positive().max(0.1).default(1e-8).describe(
    'Stop when the primal residual (kW) is below tolerance × max(1, largest trade or injection in kW) and the dual residual (per kWh) below tolerance × max(1, largest price per kWh)',
  ),
  maxIterations: z.number().int().positive().max(1e7).default(20000).describe('Give up (status "not_converged") after this many iterations'),
  residualBalancing: z.boolean().default(true).describe('Double or halve ρ when one residual (relative to its tolerance) is more than 10 times the other (Boyd et al. 2011, §3.4.1), every 25 iterations, until half the iteration limit'),
  mode: z.enum(['synchronous', 'asynchronous']).default('synchronous').describe(
    'synchronous: every agent waits for all its messages of an iteration before the next; asynchronous: agents update on their own clocks with the latest messages, at most maxStaleness iterations ahead of any',
  ),
  latencyMs: latency.default(10).describe('Delivery time of every message on the virtual clock: fixed, or uniform in [minMs, maxMs] drawn from seed'),
  lossProbability: z.number().min(0).max(0.9).default(0).describe('Probability that a message (or its acknowledgement) is lost; a sender retransmits after retransmitMs until acknowledged'),
  retransmitMs: z.number().positive().max(1e9).optional().describe('How long a sender waits for an acknowledgement before sending again, ms (default: 2 × the longest latency + 1)'),
  computeMs: z.number().min(0).max(1e9).default(1).describe('Virtual time an agent takes to compute an update, ms'),
  maxStaleness: z.number().int().positive().max(1000).default(1).describe('asynchronous: how many iterations a peer may run ahead of the oldest answer it holds (1: it waits for the answers to its last proposals; more may not converge)'),
  pairTermination: z.boolean().default(false).describe('A pair stops negotiating once its own residuals stay within tolerance for 5 iterations (it reopens if a side moves away)'),
  warmStart: z.boolean().default(true).describe('simulate: start each window\'s negotiation from the previous window\'s prices and trades, shifted by one step'),
  seed: z.number().int().min(0).max(2 ** 31).default(1).describe('Seed of random latencies, losses and asynchronous clocks: the same seed gives the same negotiation'),
  tracePair: z.tuple([z.string().min(1), z.string().min(1)]).optional().describe('The pair whose prices negotiation-prices.csv traces, as two agent ids (default: the pair of the central optimum\'s largest trade)'),
});

export type AdmmSettings = z.output<typeof AdmmSchema>;
export type AdmmInput = z.input<typeof AdmmSchema>;

export const DEFAULT_ADMM: AdmmSettings = AdmmSchema.parse({});

export type ClearingMethod = 'central' | 'admm';

/** The same scenario cleared by `method` (the --clearing option). */
export function withClearing<S extends { market: { clearing?: ClearingMethod } }>(scenario: S, method: ClearingMethod): S {
  return { ...scenario, market: { ...scenario.market, clearing: method } };
}
