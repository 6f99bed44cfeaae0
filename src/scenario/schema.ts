/**
 * The scenario file format: one zod schema is the single source of the TypeScript types
 * (`ScenarioInput`) and of the structural checks. Cross-field checks that a schema cannot
 * express (array lengths against `steps`, the feeder being a tree, …) live in
 * `validate.ts`.
 *
 * Units and signs, stated once for the whole project:
 * - power in kW, energy in kWh, time in hours, voltage in per unit (p.u.), impedance in Ω;
 * - **injection into the network is positive**: generation and battery discharge are
 *   positive, consumption and battery charging negative;
 * - the utility's request `targetKw[t]` is the power it asks to *receive* from the
 *   prosumers in step t (positive = the feeder exports to the utility).
 *
 * Two forms: `ScenarioSchema` is the scenario with every per-step series an array (what the
 * simulator runs: `ScenarioData`); `ScenarioFileSchema`, what a file may hold, also takes a
 * reference to a profile read from a CSV file wherever a series is taken, and `profiles`
 * defining them. `loadScenario` resolves the references into arrays (src/profiles/resolve.ts).
 */
import { z } from 'zod';
import { AdmmSchema } from '../admm/options.ts';

/**
 * Every number is finite, and no larger in magnitude than 1e9 (kW, kWh, Ω, hours, …): a value
 * beyond that is a unit mistake, and would break the solver's numerics.
 */
const LIMIT = 1e9;
const finite = () => z.number().min(-LIMIT, `must lie within ±${LIMIT}`).max(LIMIT, `must lie within ±${LIMIT}`);
const positive = () => finite().positive();
const nonNegative = () => finite().nonnegative();
/**
 * Ids are written into the CSV files as they are: a comma, a double quote or a line break would
 * make csv-stringify quote the field, which numpy's loadtxt and genfromtxt cannot read, and they
 * take a "#" for the start of a comment.
 */
const CSV_PLAIN = /^[^,"#\r\n]*$/;
const CSV_PLAIN_RULE = 'must not contain a comma, a double quote, a "#" or a line break: ids are written as they are into CSV files, which numpy reads (taking "#" for a comment)';
const id = () => z.string().min(1).regex(CSV_PLAIN, CSV_PLAIN_RULE);
/**
 * A bus id: a string, or a whole number taken as its decimal text (MATPOWER and pandapower number
 * their buses; `"bus": 7` and `"bus": "7"` name the same bus).
 */
const busId = () =>
  z.union([id(), z.number().int().nonnegative()]).transform((v) => String(v)).describe('Bus id: a string, or a whole number (read as its decimal text)');
/** "2016-01-01T00:00" or "2016-01-01 00:00:00": a local date-time (checked further when resolved). */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/;
const UTC_OFFSET = /^[+-]\d{2}:\d{2}$/;

/** The ids of the warnings for unit slips and habits (warnings.ts), which `ignoreWarnings` names. */
export const WARNING_IDS = ['positive-load', 'base-voltage', 'large-power', 'large-impedance', 'voltage-limits', 'price-per-kwh', 'step-hours', 'late-event'] as const;
export type WarningId = (typeof WARNING_IDS)[number];

/** Names that become folder names (scenarios, sweeps): no separators, no leading dot, at most 100 characters. */
export const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
export const NAME_RULE = 'use up to 100 letters, digits, ".", "_" or "-", not starting with "." (it names the output folder)';

export const LineSchema = z.strictObject({
  from: busId().describe('Upstream (parent) bus id'),
  to: busId().describe('Downstream (child) bus id'),
  rOhm: positive().describe('Series resistance, Ω'),
  xOhm: positive().describe('Series reactance, Ω'),
  maxKw: positive().optional().describe('Active-power flow limit |f| ≤ maxKw, kW; no limit when omitted'),
});

/**
 * A fixed (non-market) load or generation at a bus: the consumers the utility serves outside
 * the market. It shapes voltages and flows but trades nothing. Injection positive, so a
 * load of 100 kW is `injectionKw: -100`.
 */
export const BusLoadSchema = z.strictObject({
  bus: busId(),
  injectionKw: finite().describe('Active injection at the peak (profile 1), kW; a load is negative'),
  injectionKvar: finite().default(0).describe('Reactive injection at the peak (profile 1), kvar; an inductive load is negative'),
  profile: z
    .array(finite())
    .optional()
    .describe('Multiplier of both injections per step (default: network.loadProfile, or 1)'),
});

export const NetworkSchema = z.strictObject({
  baseKv: positive().describe('Base line-to-line voltage, kV'),
  baseKva: positive().describe('Base power, kVA'),
  vMinPu: positive().default(0.95).describe('Lowest allowed bus voltage, p.u.'),
  vMaxPu: positive().default(1.05).describe('Highest allowed bus voltage, p.u.'),
  slackVoltagePu: positive().default(1).describe('Voltage held at the slack (substation) bus, p.u.'),
  slack: busId().describe('Id of the slack (substation) bus, where the utility sits'),
  buses: z.array(busId()).min(1),
  lines: z.array(LineSchema),
  loads: z.array(BusLoadSchema).default([]).describe('Fixed loads at buses, outside the market'),
  loadProfile: z
    .array(finite())
    .optional()
    .describe('Multiplier of every load without its own profile, per step (default 1)'),
  linearForm: z
    .enum(['auto', 'dense', 'sparse'])
    .default('auto')
    .describe(
      'LinDistFlow in the clearing problem. dense: voltages and flows as path-matrix expressions of the injections; ' +
        'sparse: a flow column per line and a voltage column per bus (the branch-flow form, for large feeders); ' +
        'auto: dense up to 100 buses. Both give the same optimum.',
    ),
});

export const BatterySchema = z.strictObject({
  initialKwh: nonNegative().describe('State of charge at the start of the horizon, kWh'),
  minKwh: nonNegative().describe('Lowest allowed state of charge, kWh'),
  maxKwh: nonNegative().describe('Highest allowed state of charge, kWh'),
  maxChargeKw: nonNegative().describe('Largest charging power, kW (battery power ≥ -maxChargeKw)'),
  maxDischargeKw: nonNegative().describe('Largest discharging power, kW (battery power ≤ maxDischargeKw)'),
  returnToInitial: z.boolean().default(false).describe('End the horizon at the initial state of charge'),
  chargeEfficiency: finite().gt(0).max(1).default(1).describe('η_c: the share of the charging power that is stored (0 < η_c ≤ 1)'),
  dischargeEfficiency: finite().gt(0).max(1).default(1).describe('η_d: discharging d kW draws d/η_d kW from the store (0 < η_d ≤ 1)'),
  selfDischargePerHour: nonNegative().default(0).describe('σ: the share of the stored energy lost per hour (soc·(1 − σ·Δt) remains after a step)'),
});

/**
 * A prosumer's bid: the cost, per hour, of its net injection P (kW), C(P) = ½·a·P² + b·P
 * (the paper's). One curve covers both sides: injecting P > 0 costs C(P) (b is the marginal
 * cost of the first kW, a its growth); consuming x = −P > 0 "costs" C(−x) = ½·a·x² − b·x,
 * i.e. it is worth b·x − ½·a·x² to the prosumer (b is what the first kWh consumed is worth,
 * a how fast that value falls). The marginal cost C′(P) = a·P + b is the price at which the
 * prosumer is indifferent to trading one kWh more.
 */
export const CostBidSchema = z.strictObject({
  quadraticPerKw2h: nonNegative().default(0).describe('a in C(P) = ½·a·P² + b·P, currency per kW² per hour'),
  linearPerKwh: finite().default(0).describe('b in C(P) = ½·a·P² + b·P, currency per kWh'),
});

/** At `atHour` the prosumer's forecast of the steps from `fromStep` on becomes `scheduleKw`. */
export const ForecastUpdateSchema = z.strictObject({
  atHour: finite(),
  fromStep: z.number().int().nonnegative(),
  scheduleKw: z.array(finite()).min(1),
});

export const ProsumerSchema = z.strictObject({
  id: id(),
  bus: busId(),
  scheduleKw: z.array(finite()).describe('Scheduled (forecast) net injection per step before the battery (PV minus load), kW'),
  pvKw: z.array(nonNegative()).optional().describe('PV generation per step, kW (≥ 0); scheduleKw = pvKw − loadKw'),
  loadKw: z.array(nonNegative()).optional().describe('Consumption per step, kW (≥ 0); scheduleKw = pvKw − loadKw'),
  realisedKw: z
    .array(finite())
    .optional()
    .describe('What the net injection before the battery turns out to be (simulate); the forecast when omitted'),
  forecastUpdates: z.array(ForecastUpdateSchema).optional().describe('Forecast revisions during a simulation'),
  reactiveKvar: finite().default(0).describe('Constant reactive injection, kvar'),
  inverterKva: positive().optional().describe("Apparent-power rating S of the prosumer's inverter, kVA: with its reactive power Q, the inverter's active output (PV + battery power when pvKw is given, else the net injection) stays within ±√(S² − Q²)"),
  minInjectionKw: finite().optional().describe('Lowest net injection (hardware limit), kW'),
  maxInjectionKw: finite().optional().describe('Highest net injection (hardware limit), kW'),
  battery: BatterySchema.optional(),
  costBid: CostBidSchema.optional().describe('Cost of injecting power, per hour: C(P) = ½·a·P² + b·P'),
});

/**
 * The random forecast errors of a simulation (src/engine/uncertainty.ts, where the mathematics
 * is): per prosumer an AR(1) process of each kind — the net injection (σ = `stdKw`), the PV
 * generation (`pvStdKw`, prosumers with pvKw) and the consumption (`loadStdKw`, prosumers with
 * loadKw) — every step with standard deviation σ (kW), lag-1 correlation φ between consecutive
 * steps, and correlation c between two prosumers' errors of one kind at one step.
 */
export const ForecastErrorSchema = z.strictObject({
  stdKw: nonNegative().default(0).describe('σ of the error of every prosumer\'s net injection before the battery, kW (not clipped)'),
  pvStdKw: nonNegative().default(0).describe('σ of the error of the PV generation of prosumers with pvKw, kW; realised PV kept within 0 and the inverter\'s rating, and 0 where the forecast is 0'),
  loadStdKw: nonNegative().default(0).describe('σ of the error of the consumption of prosumers with loadKw, kW; realised load kept ≥ 0'),
  autocorrelation: finite().gt(-1, 'must lie strictly between −1 and 1').lt(1, 'must lie strictly between −1 and 1').default(0).describe('φ: correlation of an error with its value one step earlier (AR(1)), −1 < φ < 1; 0: independent steps'),
  commonShare: finite().min(0).max(1).default(0).describe('c: share of each error\'s variance in a factor common to all prosumers (the correlation between two prosumers\' errors), 0 ≤ c ≤ 1'),
}).meta({ id: 'ForecastError' });

/** At `atHour` the utility (re)issues its request for one step. */
export const RequestEventSchema = z.strictObject({
  atHour: finite(),
  step: z.number().int().nonnegative(),
  targetKw: finite(),
  priority: nonNegative(),
});

/** A price per kWh: one number for every step, or one per step. */
const perStepPrice = () => z.union([finite(), z.array(finite())]);

/**
 * The utility's retail tariff: it sells energy to the feeder at `sellPerKwh` and buys it at
 * `buyPerKwh` (the feed-in price). In the market it is the utility's bid: the utility supplies
 * any amount at `sellPerKwh` and takes any amount at `buyPerKwh`; without peer trades (the
 * value-of-trading baseline) every prosumer trades with it at these prices.
 */
export const TariffSchema = z.strictObject({
  buyPerKwh: perStepPrice().describe('What the utility pays for energy it receives, currency per kWh (one value, or one per step)'),
  sellPerKwh: perStepPrice().describe('What the utility charges for energy it delivers, currency per kWh (one value, or one per step); at least buyPerKwh'),
});

export const UtilitySchema = z.strictObject({
  bus: busId().describe('Bus of the utility; must be the slack bus'),
  tariff: TariffSchema.optional().describe("The utility's buy and sell prices; without them the utility's energy costs nothing"),
  targetKw: z.array(finite()).optional().describe('Requested receipt per step, kW'),
  priority: z.array(nonNegative()).optional().describe('Weight w of the request of each step'),
  requestEvents: z.array(RequestEventSchema).optional().describe('Requests issued during a simulation'),
});

/**
 * A preference of the buyer `to` about energy from the seller `from`: a cost per kWh it
 * bears on what `from` delivers to it (a dislike), or, negative, a premium it would pay (local
 * or green energy). It is the buyer's own valuation, not money; it moves the price of that
 * pair's trade by exactly its amount. A pair's round trip must not pay: the costs of its two
 * directions, with the network fee of each, sum to zero or more.
 */
export const PairPreferenceSchema = z.strictObject({
  from: id().describe('Seller: the agent delivering the energy ("utility" for the utility)'),
  to: id().describe('Buyer: the agent receiving it, who holds the preference'),
  costPerKwh: finite().describe('Cost the buyer bears per kWh from this seller, currency per kWh; negative: a premium'),
});

/**
 * The network-use fee of a trade, per kWh, paid by the buyer to the network operator:
 * perKwh + perKwhPerOhm · (electrical distance), the electrical distance being Σ|z| (Ω) of the
 * lines on the path between the two agents' buses. Trades with the pool pay perKwh only.
 */
export const NetworkFeeSchema = z.strictObject({
  perKwh: nonNegative().default(0).describe('Flat part of the fee, currency per kWh'),
  perKwhPerOhm: nonNegative().default(0).describe('Part that grows with the electrical distance, currency per kWh per Ω of |z| on the path'),
});

export const MarketSchema = z.strictObject({
  tradeVolumeWeight: nonNegative().default(0).describe('λ of the trade-volume ("middleman") penalty'),
  penaltyNorm: z.enum(['l2', 'l1']).default('l2').describe(
    'l2: (w·(U−U*))² and λ·(Σ|p|)²; l1: w·|U−U*| and λ·Σ|p| (a pure LP)',
  ),
  tieBreak: z.enum(['quadratic', 'none']).default('quadratic').describe(
    'quadratic: ε·Σ b² makes the battery dispatch unique; none: any optimal dispatch',
  ),
  tieBreakWeight: positive().default(1e-6).describe('ε of the quadratic tie-break, objective units per kW²'),
  tradeGraph: z
    .union([
      z.enum(['all', 'pool', 'utility']),
      z.strictObject({
        maxHops: z.number().int().nonnegative().describe('Largest number of lines between the buses of two trading prosumers'),
      }),
    ])
    .default('all')
    .describe(
      'Who may trade with whom. "all": every pair of agents; {"maxHops": k}: prosumers within k lines of each other, ' +
        'and every prosumer with the utility; "pool": every agent only with the community pool (agent "pool"); ' +
        '"utility": every prosumer only with the utility (no peer trades: the value-of-trading baseline)',
    ),
  pairPreferences: z
    .array(PairPreferenceSchema)
    .default([])
    .describe('Costs per kWh on the energy one agent delivers to another (product differentiation)'),
  networkFee: NetworkFeeSchema.optional().describe('A fee per kWh on every trade, growing with the electrical distance between its two ends'),
  clearing: z
    .enum(['central', 'admm'])
    .default('central')
    .describe('central: one solver clears the market exactly; admm: the agents negotiate it (consensus ADMM, docs/negotiation.md), proven against the central optimum'),
  admm: AdmmSchema.optional().describe('Settings of the negotiated clearing (market.clearing "admm")'),
});

export const ScenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: id().regex(NAME_PATTERN, NAME_RULE),
  description: z.string().optional(),
  ignoreWarnings: z.array(z.enum(WARNING_IDS)).default([]).describe('Warnings this scenario means, not to print (see p2pmarket validate)'),
  steps: z.number().int().positive(),
  stepHours: positive(),
  startHour: finite().default(0).describe('Clock hour at which step 0 starts'),
  start: z
    .string()
    .regex(LOCAL_DATE_TIME, 'must be a local ISO 8601 date-time such as "2016-01-01T00:00" (the offset goes in "utcOffset")')
    .optional()
    .describe('Calendar date and time at which step 0 starts (local time at utcOffset); needed by profiles'),
  utcOffset: z.string().regex(UTC_OFFSET, 'must be an offset such as "+01:00" or "-05:00"').optional().describe('Fixed offset of start from UTC, ±HH:MM (no daylight-saving time; default +00:00)'),
  horizonSteps: z.number().int().positive().optional().describe('simulate: steps in each cleared window (default: all)'),
  horizonEnd: z
    .enum(['shrink', 'stop'])
    .default('shrink')
    .describe('simulate: near the end, shrink the window, or stop when a full window no longer fits'),
  forecastErrorStdKw: nonNegative()
    .default(0)
    .describe('simulate: standard deviation of the random error between forecast and realisation, kW (drawn with --seed); the same as forecastError { "stdKw": σ }'),
  forecastError: ForecastErrorSchema.optional().describe('simulate: forecast errors correlated in time and between prosumers, for the net injection or PV and load apart (drawn with --seed)'),
  network: NetworkSchema,
  utility: UtilitySchema,
  prosumers: z.array(ProsumerSchema).describe("The market's prosumers (may be empty: a feeder with fixed loads only)"),
  market: MarketSchema.default({
    tradeVolumeWeight: 0,
    penaltyNorm: 'l2',
    tieBreak: 'quadratic',
    tieBreakWeight: 1e-6,
    tradeGraph: 'all',
    pairPreferences: [],
    clearing: 'central',
  }),
});

// ---------------------------------------------------------------------------------------------
// The file form: series from profiles (docs/scenario.md, "Profiles from CSV files"; src/profiles/).

/** The PV model's parameters (src/profiles/pv.ts); each has a default. */
export const PvModelSchema = z.strictObject({
  temperatureCoefficientPerC: finite().max(0).default(-0.0037).describe('γ: relative change of DC power per °C of cell temperature above 25 °C'),
  noctC: positive().default(45).describe('Nominal operating cell temperature, °C'),
  derate: positive().max(1).default(0.86).describe('Share of DC power left after losses other than the inverter\'s'),
  inverterEfficiency: positive().max(1).default(0.96).describe('Inverter efficiency'),
  inverterKw: positive().optional().describe('Inverter AC limit, kW (default: peakKw / 1.2)'),
  airTemperatureC: finite().default(20).describe('Air temperature when the profile has no temperatureColumn, °C'),
});

/** A series taken from a profile: `{ "profile": name }` with its own scale and shift. */
export const ProfileRefSchema = z.strictObject({
  profile: id().describe('Name of a profile defined in "profiles"'),
  scale: finite().optional().describe('Multiplier of the profile\'s values (after conversion to kW for a power unit); default 1'),
  peakKw: nonNegative().optional().describe('Scale the profile so that its largest value is this many kW; for an irradiance (W/m2) profile: the PV array\'s DC rating'),
  annualKwh: nonNegative().optional().describe('Scale the profile so that a year of it holds this energy, kWh'),
  shiftHours: finite().default(0).describe('Move the profile this many hours later (negative: earlier)'),
  pvModel: PvModelSchema.optional().describe('Irradiance profiles: the PV model\'s parameters'),
}).meta({ id: 'ProfileReference' });

const SERIES_OR_REFERENCE = 'must be an array with one value per step, or a profile reference { "profile": name, … }';
/** A per-step series: inline, or from a profile. */
const seriesInput = (element: z.ZodNumber) => z.union([z.array(element), ProfileRefSchema], { error: SERIES_OR_REFERENCE });

const TimestampSchema = z.union([
  z.strictObject({
    column: z.string().min(1).describe('Column of the timestamps'),
    format: z.string().min(1).default('ISO').describe('"ISO" (8601, with or without offset), or a pattern of YYYY MM DD HH mm ss, e.g. "DD.MM.YYYY HH:mm"'),
  }),
  z.strictObject({
    columns: z.array(z.string().min(1)).min(1).max(2).describe('A date and a time column, joined by a space'),
    format: z.string().min(1).default('ISO').describe('Format of the joined text, e.g. "MM/DD/YYYY HH:mm"'),
  }),
], { error: 'must be { "column": name, "format"?: … } or { "columns": [date, time], "format"?: … }' });

/** A time series in a CSV file. */
export const ProfileSchema = z.strictObject({
  file: z.string().min(1).describe('CSV file, relative to the scenario file'),
  column: z.string().min(1).describe('Column of the values'),
  unit: z
    .enum(['kW', 'W', 'kWh', 'W/m2', 'shape'])
    .describe('kW or W: mean power; kWh: energy per interval; W/m2: irradiance, turned into PV power; shape: a plain number (a multiplier, a price, a shape scaled by peakKw or annualKwh)'),
  timestamp: TimestampSchema,
  stamp: z.enum(['start', 'end']).default('start').describe('Whether a timestamp starts or ends its interval'),
  utcOffset: z.string().regex(UTC_OFFSET, 'must be an offset such as "+01:00" or "-05:00"').optional().describe('Offset from UTC of timestamps without one (default: the scenario\'s utcOffset)'),
  separator: z.string().length(1).default(',').describe('Column separator'),
  decimalMark: z.enum(['.', ',']).default('.').describe('Decimal mark'),
  typicalYear: z.boolean().default(false).describe('One whole year whose own years are ignored: its month-day-times repeat on every year the scenario needs'),
  temperatureColumn: z.string().min(1).optional().describe('Irradiance profiles: the air-temperature column, °C'),
});

const BusLoadFileSchema = BusLoadSchema.extend({
  profile: seriesInput(finite()).optional().describe('Multiplier of both injections per step (default: network.loadProfile, or 1)'),
});

const NetworkFileSchema = NetworkSchema.extend({
  loads: z.array(BusLoadFileSchema).default([]).describe('Fixed loads at buses, outside the market'),
  loadProfile: seriesInput(finite()).optional().describe('Multiplier of every load without its own profile, per step (default 1)'),
});

const ProsumerFileSchema = ProsumerSchema.extend({
  scheduleKw: seriesInput(finite()).optional().describe('Scheduled (forecast) net injection per step before the battery, kW; or give pvKw and/or loadKw'),
  pvKw: seriesInput(nonNegative()).optional().describe('PV generation per step, kW (≥ 0); scheduleKw = pvKw − loadKw'),
  loadKw: seriesInput(nonNegative()).optional().describe('Consumption per step, kW (≥ 0); scheduleKw = pvKw − loadKw'),
  realisedKw: seriesInput(finite()).optional().describe('What the net injection before the battery turns out to be (simulate); the forecast when omitted'),
});

const PRICE_OR_REFERENCE = 'must be a number, an array with one value per step, or a profile reference { "profile": name, … }';
const TariffFileSchema = TariffSchema.extend({
  buyPerKwh: z.union([finite(), z.array(finite()), ProfileRefSchema], { error: PRICE_OR_REFERENCE }).describe('What the utility pays for energy it receives, currency per kWh (one value, one per step, or a profile)'),
  sellPerKwh: z.union([finite(), z.array(finite()), ProfileRefSchema], { error: PRICE_OR_REFERENCE }).describe('What the utility charges for energy it delivers, currency per kWh (one value, one per step, or a profile); at least buyPerKwh'),
});

const UtilityFileSchema = UtilitySchema.extend({
  tariff: TariffFileSchema.optional().describe("The utility's buy and sell prices; without them the utility's energy costs nothing"),
  targetKw: seriesInput(finite()).optional().describe('Requested receipt per step, kW'),
  priority: seriesInput(nonNegative()).optional().describe('Weight w of the request of each step'),
});

/** A scenario file: `ScenarioSchema`, with profiles wherever a per-step series is taken. */
export const ScenarioFileSchema = ScenarioSchema.extend({
  startHour: finite().optional().describe('Clock hour at which step 0 starts (default: the hour of day of start, else 0)'),
  profiles: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a profile name uses letters, digits, ".", "_" or "-"'), ProfileSchema)
    .optional()
    .describe('Time series in CSV files, by name, for the series fields to reference'),
  network: NetworkFileSchema,
  utility: UtilityFileSchema,
  prosumers: z.array(ProsumerFileSchema).describe("The market's prosumers (may be empty: a feeder with fixed loads only)"),
});

/** A scenario with every series an array (optional fields may be missing): what code builds in memory. */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A scenario after schema parsing: defaults filled in, not yet cross-checked. */
export type ScenarioData = z.output<typeof ScenarioSchema>;
/** A scenario as a file may hold it: series inline or from profiles. */
export type ScenarioFileInput = z.input<typeof ScenarioFileSchema>;
/** A scenario file after schema parsing, its profile references not yet resolved. */
export type ScenarioFileData = z.output<typeof ScenarioFileSchema>;
export type ProfileData = z.output<typeof ProfileSchema>;
export type ProfileRef = z.output<typeof ProfileRefSchema>;
export type PvModelData = z.output<typeof PvModelSchema>;
export type ProsumerData = ScenarioData['prosumers'][number];
export type BatteryData = NonNullable<ProsumerData['battery']>;
export type LineData = ScenarioData['network']['lines'][number];
export type BusLoadData = ScenarioData['network']['loads'][number];
export type TradeGraph = ScenarioData['market']['tradeGraph'];
export type MarketOptions = ScenarioData['market'];
export type PairPreference = MarketOptions['pairPreferences'][number];
export type NetworkFee = NonNullable<MarketOptions['networkFee']>;
export type ForecastErrorData = z.output<typeof ForecastErrorSchema>;
