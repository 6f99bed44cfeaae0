/**
 * A scenario's feeder as a single-line diagram (SVG text): the buses as a tree from the slack,
 * drawn left to right — a bus's first child (the one with the largest subtree) continues its
 * row, the others open rows below — the lines between them, the slack bus as the grid's
 * connection, and each prosumer as a mark under its bus with a sun when it has PV (`pvKw`), a
 * battery when it has one. Every element carries a <title> with its data, and data-* attributes
 * naming it (tests read them).
 *
 * It draws from the scenario as written (unvalidated JSON), so that a feeder shows while its
 * file still has problems; what it cannot read it leaves out. Buses that the lines do not reach
 * from the slack are drawn in a row of their own, marked unconnected.
 */

interface Line {
  from: string;
  to: string;
  title: string;
}

interface Prosumer {
  id: string;
  bus: string;
  pv: boolean;
  battery: boolean;
  title: string;
}

export interface FeederModel {
  buses: string[];
  slack: string | undefined;
  lines: Line[];
  prosumers: Prosumer[];
  utilityBus: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What the diagram shows of scenario data as written. */
export function feederModel(data: unknown): FeederModel {
  const scenario = obj(data);
  const network = obj(scenario.network);
  const buses = list(network.buses).map(str).filter((b): b is string => b !== undefined);
  const known = new Set(buses);
  const lines = list(network.lines)
    .map(obj)
    .map((l) => ({ from: str(l.from), to: str(l.to), l }))
    .filter((l): l is { from: string; to: string; l: Record<string, unknown> } => l.from !== undefined && l.to !== undefined && known.has(l.from) && known.has(l.to))
    .map(({ from, to, l }) => ({ from, to, title: `line ${from}–${to}: r ${l.rOhm ?? '?'} Ω, x ${l.xOhm ?? '?'} Ω${l.maxKw !== undefined ? `, at most ${l.maxKw} kW` : ''}` }));
  const prosumers = list(scenario.prosumers)
    .map(obj)
    .map((p, k) => {
      const battery = obj(p.battery);
      const pv = p.pvKw !== undefined && p.pvKw !== null;
      const hasBattery = p.battery !== undefined && p.battery !== null;
      const id = str(p.id) ?? `prosumers[${k}]`;
      const details = [pv ? 'PV' : '', hasBattery ? `battery ${battery.minKwh ?? '?'}–${battery.maxKwh ?? '?'} kWh, ±${battery.maxChargeKw ?? '?'}/${battery.maxDischargeKw ?? '?'} kW` : ''].filter(Boolean);
      return { id, bus: str(p.bus) ?? '', pv, battery: hasBattery, title: `prosumer ${id} at bus ${str(p.bus) ?? '?'}${details.length ? `: ${details.join('; ')}` : ''}` };
    })
    .filter((p) => known.has(p.bus));
  const slack = str(network.slack);
  return { buses, slack: slack !== undefined && known.has(slack) ? slack : buses[0], lines, prosumers, utilityBus: str(obj(scenario.utility).bus) };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const DX = 56;
const ROW = 64;
const MARGIN = 28;

/** The diagram's SVG text; an empty-feeder note when the data has no buses. */
export function feederSvg(model: FeederModel): string {
  if (model.buses.length === 0 || model.slack === undefined) return '<p class="note">No buses to draw (network.buses).</p>';
  // The tree from the slack (the lines are undirected).
  const neighbours = new Map<string, string[]>(model.buses.map((b) => [b, []]));
  for (const l of model.lines) {
    neighbours.get(l.from)!.push(l.to);
    neighbours.get(l.to)!.push(l.from);
  }
  const children = new Map<string, string[]>();
  const depth = new Map<string, number>([[model.slack, 0]]);
  const order: string[] = [model.slack];
  for (let i = 0; i < order.length; i++) {
    const bus = order[i]!;
    const next = neighbours.get(bus)!.filter((b) => !depth.has(b));
    for (const b of next) depth.set(b, depth.get(bus)! + 1);
    children.set(bus, next);
    order.push(...next);
  }
  const size = new Map<string, number>();
  for (const bus of [...order].reverse()) size.set(bus, 1 + (children.get(bus) ?? []).reduce((s, c) => s + size.get(c)!, 0));
  for (const [bus, kids] of children) children.set(bus, [...kids].sort((a, b) => size.get(b)! - size.get(a)!));

  // Rows: a first child stays on its parent's row, the others open new rows below.
  const row = new Map<string, number>();
  let rows = 0;
  const place = (bus: string, r: number) => {
    row.set(bus, r);
    (children.get(bus) ?? []).forEach((child, k) => place(child, k === 0 ? r : ++rows));
  };
  place(model.slack, 0);
  const unconnected = model.buses.filter((b) => !row.has(b));
  if (unconnected.length > 0) {
    rows++;
    unconnected.forEach((b, k) => {
      row.set(b, rows);
      depth.set(b, k);
    });
  }
  const x = (bus: string) => MARGIN + depth.get(bus)! * DX;
  const y = (bus: string) => MARGIN + 10 + row.get(bus)! * ROW;
  const width = MARGIN * 2 + Math.max(...[...depth.values()]) * DX + 40;
  const height = MARGIN * 2 + rows * ROW + 40;

  const parts: string[] = [];
  for (const l of model.lines) {
    const [a, b] = depth.get(l.from)! <= depth.get(l.to)! ? [l.from, l.to] : [l.to, l.from];
    // An elbow: down from the parent, then across to the child.
    const d = row.get(a) === row.get(b) ? `M${x(a)},${y(a)} H${x(b)}` : `M${x(a)},${y(a)} V${y(b)} H${x(b)}`;
    parts.push(`<path class="line" data-line="${escape(`${l.from}-${l.to}`)}" d="${d}"><title>${escape(l.title)}</title></path>`);
  }
  const atBus = new Map<string, Prosumer[]>();
  for (const p of model.prosumers) atBus.set(p.bus, [...(atBus.get(p.bus) ?? []), p]);
  for (const bus of model.buses) {
    const slack = bus === model.slack;
    const cx = x(bus);
    const cy = y(bus);
    const title = `bus ${bus}${slack ? ' (slack: the grid connection)' : ''}${bus === model.utilityBus ? ', the utility' : ''}${unconnected.includes(bus) ? ', not connected to the slack' : ''}`;
    parts.push(
      `<g class="bus${slack ? ' slack' : ''}${unconnected.includes(bus) ? ' unconnected' : ''}" data-bus="${escape(bus)}"><title>${escape(title)}</title>` +
        (slack ? `<rect x="${cx - 8}" y="${cy - 8}" width="16" height="16"/>` : `<circle cx="${cx}" cy="${cy}" r="5"/>`) +
        `<text x="${cx}" y="${cy - 11}">${escape(bus)}</text></g>`,
    );
    (atBus.get(bus) ?? []).forEach((p, k) => {
      const px = cx - 7 + k * 16;
      const py = cy + 12;
      parts.push(
        `<g class="prosumer" data-prosumer="${escape(p.id)}" data-pv="${p.pv}" data-battery="${p.battery}"><title>${escape(p.title)}</title>` +
          `<path class="house" d="M${px},${py + 7} L${px + 7},${py} L${px + 14},${py + 7} V${py + 18} H${px} Z"/>` +
          (p.pv ? `<circle class="pv" cx="${px + 7}" cy="${py + 11}" r="3"/>` : '') +
          (p.battery ? `<rect class="battery" x="${px + 2}" y="${py + 20}" width="10" height="5"/>` : '') +
          '</g>',
      );
    });
  }
  return `<svg class="feeder" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="feeder: ${model.buses.length} buses, ${model.lines.length} lines, ${model.prosumers.length} prosumers">${parts.join('')}</svg>`;
}
