/**
 * Defects a user trial found in sweeps, each fixed for its class:
 * 1. a trace metric names only columns, agents, buses and steps its run writes (static checks
 *    when the sweep is planned; the scenario's ids and steps at every point);
 * 2. every column of runs.csv and summary.csv has a name of its own that numpy and pandas keep;
 * 3. runs.csv and summary.csv hold no cell numpy cannot read: a value that is not a number or a
 *    plain text is written as a label, which result.json maps back to the value;
 * 4. money columns carry their unit (`…Currency`), in the code and in the docs;
 * 5. the library's entry points check what they are given: planSweep every point, runSweep its
 *    plan and options.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { sweepFiles } from '../src/output/sweep-csv.ts';
import { planSweep } from '../src/sweep/in-memory.ts';
import { BUILTIN_METRICS } from '../src/sweep/metrics.ts';
import { loadSweep, validatePoints } from '../src/sweep/points.ts';
import { runSweep } from '../src/sweep/run.ts';
import { p2pmarket, ROOT, temporaryFolder, unwrap } from './helpers/cli.ts';
import { numpy, numpyRead } from './helpers/numpy.ts';

const { workDir } = temporaryFolder('p2pmarket-sweep-trial-');
const scenarios = join(ROOT, 'scenarios');
const dir = workDir('files');
const sweepFile = (name: string, body: object) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ scenario: join(scenarios, 'seed-bids.json'), ...body }));
  return file;
};
/** The message of the InputError `f` throws ('' when it throws none). */
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  return '';
};
/** The problems of planning and validating every point of a sweep file. */
const problemsOf = (name: string, body: object) => refusal(() => validatePoints(loadSweep(sweepFile(name, body))));
const fee = { name: 'fee', path: 'market.networkFee.perKwh', values: [0, 0.1] };
const metric = (m: object) => ({ parameters: [fee], metrics: [{ name: 'm', trace: 'settlement', column: 'soldKwh', agg: 'sum', ...m }] });

describe('1. a metric refers only to what its run writes', () => {
  it('names a column its trace does not have, with the columns it has', () => {
    const message = problemsOf('column.json', metric({ column: 'fooBar' }));
    expect(message).toContain('column.json: metrics[0].column: "fooBar" is not a column of settlement.csv');
    expect(message).toMatch(/soldKwh.*gainCurrency/);
    // A column of names is not aggregated but counted.
    expect(problemsOf('names.json', metric({ column: 'agent' }))).toMatch(/metrics\[0\]\.column: "agent" holds names, not numbers: .*"count"/);
    expect(problemsOf('count.json', metric({ column: 'agent', agg: 'count' }))).toBe('');
  });

  it('names an agent, bus or trading partner the scenario does not have, with those it has', () => {
    expect(problemsOf('agent.json', metric({ agent: 'p9' }))).toMatch(/agent\.json: metrics\[0\]\.agent: "p9" is no agent of point 0's scenario \("seed-bids"\): settlement\.csv has rows of utility, p0, p1, p2, p3/);
    // steps.csv has a row per prosumer: the utility has none.
    expect(problemsOf('steps.json', metric({ trace: 'steps', column: 'batteryKw', agent: 'utility' }))).toMatch(/metrics\[0\]\.agent: "utility" is no prosumer of point 0's scenario \("seed-bids"\): steps\.csv has rows of p0, p1, p2, p3/);
    expect(problemsOf('from.json', metric({ trace: 'trades', column: 'kw', from: 'p1', to: 'P2' }))).toMatch(/metrics\[0\]\.to: "P2" is no agent of point 0's scenario \("seed-bids"\): trades are between utility, p0, p1, p2, p3/);
    expect(problemsOf('bus.json', metric({ trace: 'nodalPrices', column: 'voltagePu', bus: 9 }))).toMatch(/metrics\[0\]\.bus: "9" is no bus of point 0's scenario \("seed-bids"\): its buses are 0, 1, 2, 3/);
    expect(problemsOf('bus-ok.json', metric({ trace: 'nodalPrices', column: 'voltagePu', bus: 3 }))).toBe(''); // numeric ids, as the scenario takes them
  });

  it('names steps the runs do not have, and filters a trace has no column for', () => {
    expect(problemsOf('t.json', metric({ tFrom: 2, tTo: 4 }))).toMatch(/metrics\[0\]\.tTo: step 4 is beyond point 0's 4 steps \(0 to 3\)/);
    expect(problemsOf('t-order.json', metric({ tFrom: 3, tTo: 1 }))).toMatch(/metrics\[0\]\.tTo: 1 is before tFrom \(3\): no step qualifies/);
    expect(problemsOf('filter.json', metric({ trace: 'trades', column: 'kw', agent: 'p1' }))).toMatch(/metrics\[0\]\.agent: trades\.csv has no "agent" column: filter its rows with from, to, tFrom or tTo/);
    expect(problemsOf('filter-bus.json', metric({ bus: '1' }))).toMatch(/metrics\[0\]\.bus: settlement\.csv has no "bus" column/);
    // A simulation realises the steps whose window fits (horizonEnd "stop"), and writes no nodal prices.
    const horizons = join(scenarios, 'seed-time-horizons.json');
    expect(problemsOf('sim-steps.json', { ...metric({ trace: 'steps', column: 'batteryKw', tFrom: 3 }), scenario: horizons, mode: 'simulate' })).toMatch(/metrics\[0\]\.tFrom: step 3 is beyond point 0's 3 realised steps \(0 to 2\)/);
    expect(problemsOf('sim-nodal.json', { ...metric({ trace: 'nodalPrices', column: 'voltagePu' }), scenario: horizons, mode: 'simulate' })).toMatch(/metrics\[0\]\.trace: a simulation writes no nodal-prices\.csv/);
  });

  it('checks every point: an agent of one scenario file but not of another is named with its point', () => {
    const message = problemsOf('choice.json', {
      scenario: undefined,
      parameters: [{ name: 'feeder', scenario: [join(scenarios, 'seed-bids.json'), join(scenarios, 'seed-4node.json')] }],
      metrics: [{ name: 'p0SoldKwh', trace: 'settlement', column: 'soldKwh', agg: 'sum', agent: 'p0' }],
    });
    expect(message).toMatch(/metrics\[0\]\.agent: "p0" is no agent of point 1's scenario \("seed-4node"\): settlement\.csv has rows of utility, p1, p2, p3$/);
  });

  it('`validate` and `sweep` exit 2 naming the sweep file, the field, the value and the choices, and write nothing', async () => {
    const cwd = workDir('cli');
    writeFileSync(join(cwd, 'typo.json'), JSON.stringify({ scenario: join(scenarios, 'seed-bids.json'), ...metric({ column: 'fooBar' }) }));
    writeFileSync(join(cwd, 'agent.json'), JSON.stringify({ scenario: join(scenarios, 'seed-bids.json'), ...metric({ agent: 'p9' }) }));
    const runs = await Promise.all([
      p2pmarket(['validate', 'typo.json'], cwd),
      p2pmarket(['sweep', 'typo.json', '--out', 'out'], cwd),
      p2pmarket(['validate', 'agent.json'], cwd),
      p2pmarket(['sweep', 'agent.json', '--out', 'out'], cwd),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    for (const r of runs.slice(0, 2)) expect(unwrap(r.stderr)).toMatch(/typo\.json: metrics\[0\]\.column: "fooBar" is not a column of settlement\.csv: .*soldKwh/);
    for (const r of runs.slice(2)) expect(unwrap(r.stderr)).toMatch(/agent\.json: metrics\[0\]\.agent: "p9" is no agent of .*: settlement\.csv has rows of utility, p0, p1, p2, p3/);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('`validate` knows a sweep that chooses its scenario by a parameter', async () => {
    const cwd = workDir('choice');
    writeFileSync(join(cwd, 'choice.json'), JSON.stringify({ parameters: [{ name: 'feeder', scenario: [join(scenarios, 'seed-bids.json'), join(scenarios, 'seed-4node.json')] }] }));
    const r = await p2pmarket(['validate', 'choice.json'], cwd);
    expect(r.stderr).toBe('');
    expect(unwrap(r.stdout)).toMatch(/choice\.json: valid sweep .* 2 points × 1 sample = 2 clearings/);
    expect(r.code).toBe(0);
  });
});

describe('one place, one parameter', () => {
  it('refuses two parameters that change one place, naming both; disjoint ones pass', () => {
    const message = problemsOf('overlap.json', {
      parameters: [
        { name: 'all', path: 'prosumers[*].scheduleKw[0]', values: [1, 2] },
        { name: 'second', path: 'prosumers[1].scheduleKw[0]', values: [3, 4] },
        { name: 'fee', path: ['market.networkFee.perKwh', 'market.networkFee'], values: [0] },
      ],
    });
    expect(message).toMatch(/overlap\.json: parameters\[1\]\.path: "prosumers\[1\]\.scheduleKw\[0\]" reaches what parameters\[0\] \("prosumers\[\*\]\.scheduleKw\[0\]"\) changes: one parameter per place/);
    expect(message).not.toMatch(/parameters\[2\]/);
    expect(problemsOf('disjoint.json', { parameters: [{ name: 'a', path: 'prosumers[0].scheduleKw[0]', values: [1] }, { name: 'b', path: 'prosumers[1].scheduleKw[0]', values: [3] }] })).toBe('');
  });
});

describe('2. every column of runs.csv and summary.csv has a name of its own that numpy keeps', () => {
  it('refuses a name another column has, built-in ones included, saying why and what to use', () => {
    const message = problemsOf('collide.json', {
      parameters: [{ name: 'objective', path: 'market.networkFee.perKwh', values: [0, 0.1] }, { name: 'run', path: 'market.tradeVolumeWeight', values: [0] }],
      metrics: [{ name: 'status', trace: 'settlement', column: 'soldKwh', agg: 'sum' }],
    });
    expect(message).toMatch(/collide\.json: parameters\[0\]\.name: "objective" is also a built-in column of runs\.csv \(a metric\): give the parameter another name, such as "objectiveParameter"/);
    expect(message).toMatch(/collide\.json: parameters\[1\]\.name: "run" is also a built-in column of runs\.csv \(the run's number\): give the parameter another name, such as "runParameter"/);
    expect(message).toMatch(/collide\.json: metrics\[0\]\.name: "status" is also a built-in column of runs\.csv \(the run's status\): give the metric another name, such as "statusMetric"/);
  });

  it('refuses a metric named as a parameter or another metric, and a parameter named as a column of summary.csv', () => {
    const message = problemsOf('twice.json', {
      samples: 2,
      parameters: [{ name: 'mean', path: 'market.networkFee.perKwh', values: [0, 0.1] }, { name: 'fee', path: 'market.tradeVolumeWeight', values: [0] }],
      metrics: [{ name: 'fee', trace: 'settlement', column: 'soldKwh', agg: 'sum' }, { name: 'sold', trace: 'settlement', column: 'soldKwh', agg: 'sum' }, { name: 'sold', trace: 'settlement', column: 'boughtKwh', agg: 'sum' }, { name: 'acLossKwh', trace: 'settlement', column: 'soldKwh', agg: 'sum' }],
    });
    expect(message).toMatch(/parameters\[0\]\.name: "mean" is also a built-in column of summary\.csv/);
    expect(message).toMatch(/metrics\[0\]\.name: "fee" is also the column of parameters\[1\]/);
    expect(message).toMatch(/metrics\[2\]\.name: "sold" is also the column of metrics\[1\]/);
    expect(message).toMatch(/metrics\[3\]\.name: "acLossKwh" is also a built-in column of runs\.csv \(a metric of --ac-check\)/);
  });

  it("refuses the names numpy's genfromtxt(names=True) renames (return, file, print), given or made from a path", () => {
    const message = problemsOf('numpy.json', {
      parameters: [{ name: 'print', path: 'market.networkFee.perKwh', values: [0, 0.1] }, { name: 'class', path: 'market.tradeVolumeWeight', values: [0] }],
      metrics: [{ name: 'return', trace: 'settlement', column: 'soldKwh', agg: 'sum' }, { name: 'Print', trace: 'settlement', column: 'soldKwh', agg: 'sum' }],
    });
    expect(message).toMatch(/parameters\[0\]\.name: "print" is renamed "print_" by numpy's genfromtxt\(names=True\) \(it renames return, file and print\): give the parameter another name, such as "printParameter"/);
    expect(message).toMatch(/metrics\[0\]\.name: "return" is renamed "return_" by numpy/);
    expect(message).not.toMatch(/class|Print/); // numpy keeps them
  });

  it('refuses metrics from code that would take another column, before the rest of the sweep runs', async () => {
    const plan = loadSweep(sweepFile('code.json', { parameters: [fee] }));
    let calls = 0;
    const taking = () => (calls++, { objective: 1 });
    await expect(runSweep(plan, { chunkPoints: 1, metrics: taking })).rejects.toThrow(/runSweep: options\.metrics: returned "objective" for run 0, which is also a built-in column of runs\.csv \(a metric\): give the metric another name, such as "objectiveMetric"/);
    expect(calls).toBe(1); // the second run was not cleared
    await expect(runSweep(plan, { metrics: () => ({ fee: 1 }) })).rejects.toThrow(/options\.metrics: returned "fee" for run 0, which is also the column of parameters\[0\]/);
    await expect(runSweep(plan, { metrics: () => ({ 'my metric': 1 }) })).rejects.toThrow(/options\.metrics: returned "my metric" for run 0: use up to 64 letters, digits and "_"/);
    await expect(runSweep(plan, { metrics: () => ({ file: 1 }) })).rejects.toThrow(/options\.metrics: returned "file" for run 0, which is renamed "file_" by numpy/);
  });
});

describe('3. numpy reads runs.csv and summary.csv whatever the parameters hold', () => {
  it('writes a value that is not a number or a plain text as a label without commas, which result.json maps back to the value', async () => {
    const plan = loadSweep(
      sweepFile('objects.json', {
        samples: 2,
        perturbations: { requestStdKw: 1 },
        parameters: [
          { name: 'graph', path: 'market.tradeGraph', values: ['all', { maxHops: 1 }] },
          { name: 'fees', path: 'market.networkFee', values: [{ perKwh: 0.01, perKwhPerOhm: 0.5 }, { perKwh: 0 }] },
          { name: 'norm', path: 'market.penaltyNorm', values: ['l2'] },
        ],
      }),
    );
    const files = sweepFiles(plan, await runSweep(plan));
    const runs = parse(files['runs.csv']!, { columns: true }) as Record<string, string>[];
    expect([...new Set(runs.map((r) => r.graph))]).toEqual(['all', 'maxHops=1']);
    expect([...new Set(runs.map((r) => r.fees))]).toEqual(['perKwh=0.01;perKwhPerOhm=0.5', 'perKwh=0']);
    expect(files['runs.csv']).not.toContain('"');
    expect(files['summary.csv']).not.toContain('"');
    const result = JSON.parse(files['result.json']!) as { parameters: { name: string; labels?: Record<string, unknown> }[] };
    expect(result.parameters.map((p) => p.labels)).toEqual([
      { all: 'all', 'maxHops=1': { maxHops: 1 } },
      { 'perKwh=0.01;perKwhPerOhm=0.5': { perKwh: 0.01, perKwhPerOhm: 0.5 }, 'perKwh=0': { perKwh: 0 } },
      undefined, // its values are written as they are
    ]);
    if (!numpy) return; // numpy's own reading is the next test's
    writeFileSync(join(dir, 'objects-runs.csv'), files['runs.csv']!);
    writeFileSync(join(dir, 'objects-summary.csv'), files['summary.csv']!);
    const read = numpyRead(join(dir, 'objects-runs.csv'));
    expect(read.names).toEqual(Object.keys(runs[0]!));
    expect(read.rows).toBe(8);
    expect(numpyRead(join(dir, 'objects-summary.csv')).names.slice(0, 5)).toEqual(['point', 'graph', 'fees', 'norm', 'metric']);
  });

  it('numbers its labels when a text would not survive (a comma, a quote, a "#"), or when two values share one', async () => {
    const { columnCells } = await import('../src/sweep/columns.ts');
    expect(columnCells(['a, b', 'say "x"', 'no #1', 'plain'])).toEqual({ cells: ['value0', 'value1', 'value2', 'value3'], labelled: true });
    expect(columnCells([1, '1'])).toEqual({ cells: ['value0', 'value1'], labelled: true });
    expect(columnCells([[0, 0, 5, 5], [1, 2, 3, 4]])).toEqual({ cells: ['0 0 5 5', '1 2 3 4'], labelled: true });
    expect(columnCells([{ a: { b: 1 } }, {}, []])).toEqual({ cells: ['a.b=1', '{}', '[]'], labelled: true });
    expect(columnCells([0.5, 'all', true, null])).toEqual({ cells: [0.5, 'all', 'true', null], labelled: false });
  });

  it.skipIf(!numpy)('numpy loads runs.csv of a sweep over whole objects (skipped without python3 and numpy)', async () => {
    const cwd = workDir('numpy');
    writeFileSync(join(cwd, 'graphs.json'), JSON.stringify({ scenario: join(scenarios, 'seed-bids.json'), parameters: [{ name: 'graph', path: 'market.tradeGraph', values: [{ maxHops: 1 }, 'all'] }, { name: 'fees', path: 'market.networkFee', values: [{ perKwh: 0.01, perKwhPerOhm: 0.5 }] }] }));
    const r = await p2pmarket(['sweep', 'graphs.json', '--out', 'out', '--quiet'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const read = numpyRead(join(cwd, 'out', 'runs.csv'));
    expect(read.rows).toBe(2);
    expect(read.names).toEqual(readFileSync(join(cwd, 'out', 'runs.csv'), 'utf8').split('\n')[0]!.split(','));
  });
});

describe('4. money columns carry their unit', () => {
  it("names the objective's money terms …Currency, in runs.csv and in the docs", async () => {
    const plan = loadSweep(sweepFile('money.json', { parameters: [fee] }));
    const header = sweepFiles(plan, await runSweep(plan))['runs.csv']!.split('\n')[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['costBidsTermCurrency', 'utilityEnergyTermCurrency', 'preferencesTermCurrency', 'networkFeesTermCurrency']));
    // What is left without a unit is in objective units: the objective and its penalty terms.
    const unitless = header.slice(header.indexOf('solveMs') + 1).filter((c) => !/(Currency|PerKwh|Kwh|Kw|Pu|Pct)$/.test(c));
    expect(unitless).toEqual(['objective', 'requestTrackingTerm', 'tradeVolumeTerm', 'tieBreakTerm']);
    const docs = ['docs/sweeps.md', 'docs/outputs.md', 'README.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    for (const name of BUILTIN_METRICS) expect(readFileSync(join(ROOT, 'docs', 'sweeps.md'), 'utf8'), name).toContain(`\`${name}\``);
    expect(docs).not.toMatch(/\b(costBidsTerm|utilityEnergyTerm|preferencesTerm|networkFeesTerm)\b/);
  });
});

describe('5. the library checks what it is given', () => {
  const seed = JSON.parse(readFileSync(join(scenarios, 'seed-node0.json'), 'utf8')) as Record<string, any>;

  it('planSweep checks every point: an invalid scenario or parameter value is an InputError naming the point and the field', () => {
    expect(refusal(() => planSweep({ scenario: 'base.json', parameters: [{ path: 'market.penaltyNorm', values: ['l1', 'l3'] }] }, { 'base.json': seed }))).toMatch(/^sweep\.json: point 1: market\.penaltyNorm: Invalid option/);
    const broken = structuredClone(seed);
    broken.prosumers[0].battery.initialKwh = 999;
    expect(refusal(() => planSweep({ scenario: 'base.json', parameters: [{ path: 'market.tradeVolumeWeight', values: [0, 1] }] }, { 'base.json': broken }))).toMatch(/^sweep\.json: point 0: prosumers\[0\]\.battery\.initialKwh: 999 kWh lies outside/);
    expect(refusal(() => planSweep({ scenario: 'base.json', parameters: [{ path: 'market.tradeVolumeWeight', values: [0, 1] }], metrics: [{ name: 'm', trace: 'steps', column: 'batteryKw', agg: 'sum', agent: 'p9' }] }, { 'base.json': seed }))).toMatch(/metrics\[0\]\.agent: "p9" is no prosumer/);
    expect(planSweep({ scenario: 'base.json', parameters: [{ path: 'market.tradeVolumeWeight', values: [0, 1] }] }, { 'base.json': seed }).size).toBe(2);
  });

  it('runSweep refuses what is not a plan, and options it cannot use, with an InputError saying what is wrong', async () => {
    const message = async (f: () => Promise<unknown>) => {
      const e = await f().then(() => undefined, (error: unknown) => error);
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).message;
    };
    expect(await message(() => runSweep({ scenario: 'x' } as never))).toMatch(/^runSweep: plan: a sweep definition, not a plan: plan it first with planSweep\(definition, files\) \(or loadSweep\(file\)\)/);
    expect(await message(() => runSweep(undefined as never))).toMatch(/^runSweep: plan: is undefined: give a sweep plan, made by loadSweep\(file\) or planSweep\(definition, files\)/);
    const plan = planSweep({ scenario: 'base.json', parameters: [{ path: 'market.tradeVolumeWeight', values: [0, 1] }] }, { 'base.json': seed });
    expect(await message(() => runSweep(plan, { workers: 0 }))).toMatch(/^runSweep: options\.workers: 0 is not a positive whole number/);
    expect(await message(() => runSweep(plan, { chunkPoints: 1.5 }))).toMatch(/options\.chunkPoints: 1\.5 is not a positive whole number/);
    expect(await message(() => runSweep(plan, { solver: 'cplex' as never }))).toMatch(/options\.solver: "cplex" is not a solver: use "highs" or "lp-solver"/);
    expect(await message(() => runSweep(plan, { metrics: 'mine' as never }))).toMatch(/options\.metrics: must be a function \(point, result\) => \{ name: value \}/);
    expect(await message(() => runSweep(plan, { timeLimitSeconds: -1 }))).toMatch(/options\.timeLimitSeconds: -1 is not a time limit: give a positive number of seconds/);
  });
});
