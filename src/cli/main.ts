/**
 * The `p2pmarket` command line. Exit codes (contract.md): 0 done; 2 bad input or usage;
 * 3 the market could not be cleared; 1 anything else. Errors are one readable message on
 * stderr, never a stack trace (set P2PMARKET_DEBUG=1 to see one).
 *
 * Each command's module is imported when the command runs, not before: `--help` and a clearing
 * load neither the figures, nor Redis, nor the worker pools.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, InputError } from '../errors.ts';
import { clip, DEFAULT_LIMITS, environmentLimits, parseLimits } from '../io/limits.ts';
import { parseDecimal, parseWholeNumber } from '../io/numbers.ts';
import { MAX_COLUMNS } from '../output/fit-text.ts';
import { preloadHighs } from '../solver/highs-preload.ts';
import { addImportCommands } from './import-commands.ts';
import { fitScreen, printsData } from './screen.ts';

/** A command that clears starts compiling HiGHS at once (solver/highs-preload.ts). */
function warmSolver(options: { solver?: string }): void {
  if (options.solver === undefined || options.solver === 'highs') preloadHighs();
}

export async function main(argv: string[]): Promise<number> {
  // Everything printed for a person fits 120 columns, help and errors included (screen.ts).
  const screen = fitScreen();
  const helpWidth = (stream: NodeJS.WriteStream) => Math.min(stream.isTTY ? stream.columns : 80, MAX_COLUMNS);
  const program = new Command()
    .name('p2pmarket')
    .description('Peer-to-peer electricity markets on distribution feeders with batteries.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .option('--limit <name=value>', `raise a size limit on a larger machine (repeatable): ${Object.keys(DEFAULT_LIMITS).join(', ')}; see docs/run-folders.md, "Limits"`, collectLimit)
    .hook('preAction', (_program, action) => {
      applyLimits(action.optsWithGlobals().limit as string[] | undefined);
      screen.stdoutIsData = printsData(action);
    })
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      getOutHelpWidth: () => helpWidth(process.stdout),
      getErrHelpWidth: () => helpWidth(process.stderr),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket clear scenarios/seed-4node.json --plot         # clear, then open outputs/seed-4node/index.html
  $ p2pmarket simulate scenarios/seed-time-horizons.json     # rolling horizon, event by event
  $ p2pmarket sweep scenarios/node0-sweep-b.json --plot      # the seed's node-0 study, with figures
  $ p2pmarket powerflow scenarios/ieee33-base.json           # AC power flow of the IEEE 33-bus feeder
  $ p2pmarket validate scenarios/*.json                      # check scenario files

Exit codes: 0 done; 2 bad input or usage; 3 the market could not be cleared (or the power flow
did not converge); 1 anything else. Run "p2pmarket <command> --help" for a command's options.`,
    );

  let exitCode: number = ExitCode.ok;
  const solverOptions = (command: Command) =>
    command
      .addOption(new Option('--clearing <method>', 'central: one solver clears the market; admm: the agents negotiate it, proven against the central optimum (overrides market.clearing)').choices(['central', 'admm']))
      .addOption(new Option('--solver <name>', 'solver backend').choices(['highs', 'lp-solver']).default('highs'))
      .option('--time-limit <seconds>', 'time limit of each solve', positive('--time-limit'), 60)
      .option('-q, --quiet', 'print nothing but errors (and --json)');

  solverOptions(
    program
      .command('clear')
      .description("Clear the market once over the scenario's whole horizon.")
      .argument('<scenario>', 'scenario file (JSON)')
      .option('-o, --out <dir>', 'output folder (default: outputs/<scenario name>/)')
      .option('--json', 'print the result as JSON on stdout')
      .option('--ac-check', 'run the AC power flow on every cleared step and compare it with the linear model')
      .option('--no-baseline', 'skip the value-of-trading baseline (the market cleared again without peer trades)')
      .option('--plot', 'draw the figures and index.html into the output folder (as p2pmarket plot does)')
      .option('--no-trades', 'write no trades.csv (it grows with the square of the agents)')
      .option('-v, --verbose', 'print every table in full (large runs print a summary of one line per step)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket clear scenarios/seed-4node.json
  $ p2pmarket clear scenarios/seed-bids.json               # bids and a tariff: prices, settlement
  $ p2pmarket clear scenarios/seed-4node.json --json > result.json
  $ p2pmarket clear scenarios/ieee33-day.json --ac-check
  $ p2pmarket clear my-feeder.json --out outputs/run1 --solver lp-solver

Writes runs.csv, steps.csv (with each agent's marginal price), trades.csv (price, fee and
preference per kWh), nodal-prices.csv, settlement.csv (per agent and step: energy bought and
sold, payments, revenues, fees, costs, and the gain over the baseline without peer trades when
the utility has a tariff) and result.json (written last) to the output folder; with --ac-check
also ac-check.csv (per step: AC losses, lowest AC voltage, largest linear-vs-AC voltage and
flow differences) and ac-violations.csv (AC limits the linear model let through), and
"acCheck" in result.json.
Exit codes: 0 cleared; 2 bad input; 3 the market could not be cleared (the diagnosis names
the conflicting constraints); 1 anything else.`,
    )
    .action(async (scenario: string, options) => {
      warmSolver(options);
      exitCode = await (await import('./clear.ts')).clearCommand(scenario, options);
    });

  solverOptions(
    program
      .command('simulate')
      .description('Event-driven rolling-horizon simulation: clear a window at every step, apply its first step, slide.')
      .argument('<scenario>', 'scenario file (JSON); "horizonSteps" sets the window, "horizonEnd" shrink|stop')
      .option('-o, --out <dir>', 'output folder (default: outputs/<scenario name>/)')
      .option('--json', 'print { status, steps, windows, … } as JSON on stdout')
      .option('--seed <n>', 'seed of the random forecast errors (scenario field forecastErrorStdKw)', parseSeed, 1)
      .option('--ac-check', 'run the AC power flow on every realised step and compare it with the linear model')
      .option('--plot', 'draw the figures and index.html into the output folder')
      .option('--no-trades', 'write no trades.csv (it grows with the square of the agents)')
      .option('-v, --verbose', 'print every table in full (large runs print a summary of one line per step)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket simulate scenarios/seed-time-horizons.json
  $ p2pmarket simulate scenarios/seed-time-horizons.json --json --out outputs/horizons
  $ p2pmarket simulate my-feeder.json --seed 7     (with "forecastErrorStdKw": 0.5 in the scenario)

Writes steps.csv (realised), trades.csv (cleared contracts), events.csv, requests.csv,
utility.csv, imbalance.csv, windows.csv, runs.csv and result.json (last); with --ac-check also
ac-check.csv and ac-violations.csv for the realised steps. A window that
cannot be cleared runs its step with idle batteries; the command then exits 3.`,
    )
    .action(async (scenario: string, options) => {
      warmSolver(options);
      exitCode = await (await import('./simulate.ts')).simulateCommand(scenario, options);
    });

  solverOptions(
    program
      .command('replay')
      .description("Run a scenario's simulation with a recorded sequence of utility requests (a run's requests.csv).")
      .argument('<requests.csv>', 'columns simHour, step, targetKw, priority')
      .requiredOption('--scenario <scenario.json>', 'the scenario to run')
      .option('-o, --out <dir>', 'output folder (default: outputs/<scenario name>/)')
      .option('--json', 'print the result as JSON on stdout')
      .option('--seed <n>', 'seed of the random forecast errors', parseSeed, 1)
      .option('--ac-check', 'run the AC power flow on every realised step and compare it with the linear model')
      .option('--plot', 'draw the figures and index.html into the output folder')
      .option('--no-trades', 'write no trades.csv (it grows with the square of the agents)')
      .option('-v, --verbose', 'print every table in full (large runs print a summary of one line per step)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket simulate scenarios/seed-time-horizons.json --out outputs/a
  $ p2pmarket replay outputs/a/requests.csv --scenario scenarios/seed-time-horizons.json --out outputs/b
    (outputs/b/steps.csv is then identical to outputs/a/steps.csv)

The scenario's own request schedule and request events are ignored: only the file's requests are issued.`,
    )
    .action(async (requests: string, options) => {
      warmSolver(options);
      exitCode = await (await import('./simulate.ts')).replayCommand(requests, options);
    });

  solverOptions(
    program
      .command('sweep')
      .description('Parameter sweep: one clearing (or simulation) per point of the parameters\' cartesian product.')
      .argument('<sweep.json>', 'sweep file: { "scenario", "mode", "parameters": [ { "path", "from", "to", "step" } | { "path", "values" } ] }')
      .option('-o, --out <dir>', 'output folder (default: outputs/<sweep name>/)')
      .option('--workers <n>', 'worker threads; 1 runs in this process (default: 1 for up to 500 clearings, else all cores)', parseWorkers)
      .option('--resume', 'finish a sweep that was stopped, keeping the points it had finished')
      .option('--json', 'print the summary as JSON on stdout')
      .option('--plot', 'draw the figures (state of charge, battery power, objective against the parameter; fan charts) and index.html')
      .option('--ac-check', "run the AC power flow on every run's dispatch: acLossKwh, acMinVoltagePu and acViolations in runs.csv")
      .option('--no-trades', 'write no trades.csv (it grows with the square of the agents)')
      .option('--queue <redis-url>', 'run the points on "p2pmarket worker"s through this Redis: redis://[user:password@]host:port')
      .option('--lock-duration <seconds>', 'with --queue: a chunk whose worker stops renewing its lock (killed) for this long is run again elsewhere', positive('--lock-duration'), 30)
      .option('--stalled-interval <seconds>', 'with --queue: how often workers look for such chunks (default: half the lock duration)', positive('--stalled-interval'))
      .option('--redis-timeout <seconds>', 'with --queue: give up (exit 1, --resume finishes) when Redis has not answered for this long', positive('--redis-timeout'), 10),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket sweep scenarios/node0-sweep-b.json          # the seed's node-0 study B, 201 clearings
  $ p2pmarket sweep scenarios/constraint-sweep.json --out outputs/constraints
  $ p2pmarket sweep scenarios/stochastic-seed.json --workers 2   # 1,000 samples, summary.csv
  $ p2pmarket sweep scenarios/stochastic-seed.json --resume      # finish one that was killed
  $ p2pmarket sweep scenarios/stochastic-seed.json --queue redis://:secret@db1:6379   # on p2pmarket workers

Writes runs.csv (run, a column per parameter, sample, status, solveMs, objective, then the metrics),
steps.csv and trades.csv (run = the point's index), summary.csv for stochastic sweeps (mean,
std, p5, p50, p95 per metric), and result.json — in point order and byte for byte the same
whatever --workers (but for the solveMs timings). Finished points are kept in
<out>/.sweep-journal/ as they come; after a crash or a kill, --resume finishes the sweep with
the same output.
With --queue, the chunks are jobs of a BullMQ queue named after the sweep, computed by any
number of "p2pmarket worker --queue <same URL>" processes on any machines; the files are the
same as a local run's. A killed worker's chunk is run again elsewhere after --lock-duration; a
chunk with bad input is reported (exit 2); if Redis goes away for --redis-timeout the command
exits 1 and --resume finishes the sweep once Redis is back. See docs/distributed.md.`,
    )
    .action(async (sweep: string, options) => {
      warmSolver(options);
      exitCode = await (await import('./sweep.ts')).sweepCommand(sweep, options);
    });

  program
    .command('worker')
    .description('Compute the points of distributed sweeps ("sweep --queue") from a Redis, until SIGINT/SIGTERM.')
    .requiredOption('--queue <redis-url>', 'the Redis the sweeps are submitted to: redis://[user:password@]host:port')
    .option('--concurrency <n>', 'chunks computed at once (worker threads)', positiveInteger('--concurrency'), 1)
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket worker --queue redis://127.0.0.1:6379
  $ p2pmarket worker --queue redis://:secret@db1.example.org:6379 --concurrency 4

Serves every sweep submitted to that Redis (each sweep has its own queue, listed in the
Redis set p2pmarket:sweeps); the solver and time limit come with the sweep. SIGINT or SIGTERM
finishes the chunks under way and exits 0; a second one abandons them (another worker takes
them again). Exit codes: 0 stopped; 2 the Redis refused the password or cannot be reached.`,
    )
    .action(async (options) => {
      exitCode = await (await import('./worker.ts')).workerCommand(options);
    });

  program
    .command('sweeps')
    .description('List the distributed sweeps a Redis holds (progress, age, submitter alive or not), or cancel one.')
    .requiredOption('--queue <redis-url>', 'the Redis: redis://[user:password@]host:port[/db]')
    .option('--cancel <id>', "remove a sweep for good: its queue name, or the 12 hex digits that end it")
    .option('--json', 'print the list as JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket sweeps --queue redis://127.0.0.1:6379
  $ p2pmarket sweeps --queue redis://127.0.0.1:6379 --cancel 3f9a1c07be42

A sweep whose submitter is gone (killed, stopped) stays in Redis with its finished chunks, for
"sweep --resume"; cancel it when it is not wanted. Exit codes: 0 done; 2 a Redis that cannot be
reached or refuses the password, or no such sweep.`,
    )
    .action(async (options) => {
      exitCode = await (await import('./worker.ts')).sweepsCommand(options);
    });

  program
    .command('powerflow')
    .description('AC power flow of the scenario\'s feeder (backward/forward sweep): voltages, line flows, losses.')
    .argument('<scenario>', 'scenario file (JSON)')
    .option('-o, --out <dir>', 'output folder (default: outputs/<scenario name>-powerflow/)')
    .option('--json', 'print { converged, iterations, steps: [...] } as JSON on stdout')
    .option('--tolerance <pu>', 'convergence tolerance: largest voltage change between iterations, p.u.', positive('--tolerance'), 1e-10)
    .option('--max-iterations <n>', 'give up after this many iterations', positiveInteger('--max-iterations'), 100)
    .option('-v, --verbose', 'print every step, bus and limit broken in full (a large feeder prints a summary: its lowest voltages)')
    .option('-q, --quiet', 'print nothing but errors (and --json)')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket powerflow scenarios/ieee33-base.json          # Baran & Wu's base case: 202.7 kW losses
  $ p2pmarket powerflow scenarios/ieee33-day.json --json    # 24 steps: schedules, batteries idle

Bus injections are the fixed loads (network.loads, times their profile) and the prosumers'
schedules with idle batteries; reactive injections as given. One step for a feeder with only
fixed loads, else one per scenario step. Writes buses.csv, lines.csv and result.json. Limits
the AC state breaks are listed, not refused. A feeder of up to 40 buses is printed bus by bus; a
larger one as a summary of one screen (the buses with the lowest voltages, the first 24 steps
and 12 limits broken) naming the files that hold the rest; --verbose prints every table in full.
A power flow that does not converge (a loading beyond the feeder's capacity) prints no result
and exits 3.`,
    )
    .action(async (scenario: string, options) => {
      exitCode = (await import('./powerflow.ts')).powerFlowCommand(scenario, options);
    });

  addImportCommands(program, (code) => {
    exitCode = code;
  });

  program
    .command('plot')
    .description('Draw the figures of a finished run (clear, simulate, replay or sweep) as SVG, and its index.html report.')
    .argument('<run-dir>', 'a folder a run wrote (it holds result.json)')
    .option('--json', 'print the figures written as JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket clear scenarios/seed-4node.json && p2pmarket plot outputs/seed-4node
  $ p2pmarket sweep scenarios/node0-sweep-b.json --plot      # the same, right after the run

Writes <run-dir>/figures/<figure>.svg and <run-dir>/index.html (self-contained: open it from
the file system, no server, no network). A clearing or simulation gets the net-injection
heatmap, per-step bars of forecast, battery and traded power, state-of-charge trajectories,
bus voltages and line flows against their limits, and trade prices; a sweep gets the state of
charge and battery power against the swept parameter and the objective; a stochastic sweep
gets fan charts (median, p5–p95) over the steps.`,
    )
    .action(async (dir: string, options) => {
      exitCode = await (await import('./plot.ts')).plotCommand(dir, options);
    });

  program
    .command('init')
    .description('Write a starting scenario to edit: a small feeder, two prosumers (PV, a battery), a tariff.')
    .argument('[file]', 'where to write it', 'scenario.json')
    .option('--name <name>', "the scenario's name (names its output folder)", 'my-feeder')
    .option('--force', 'overwrite the file if it exists')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket init                      # scenario.json here
  $ p2pmarket init my-study/feeder.json --name feeder
  $ p2pmarket clear scenario.json       # it validates and clears as it is

JSON has no comments: the scenario's "description" says what to edit first.`,
    )
    .action(async (file: string, options) => {
      exitCode = (await import('./init.ts')).initCommand(file, options);
    });

  program
    .command('validate')
    .description('Check scenario and sweep files as every command does, and describe them (nothing is solved or written).')
    .argument('<file...>', 'one or more scenario or sweep files (JSON); a sweep is checked at every point')
    .option('--json', 'print what each file describes as JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket validate scenarios/ieee33-day.json
  $ p2pmarket validate scenarios/*.json --quiet && echo all valid

Exit codes: 0 every file is valid; 2 a file is not (the message names the file and the field).
A fixed load that already breaks a limit no prosumer can move is reported as a warning.`,
    )
    .action(async (files: string[], options) => {
      exitCode = (await import('./validate.ts')).validateCommand(files, options);
    });

  program
    .command('schema')
    .description('Print the JSON Schema of scenario files (for editors: reference it with "$schema").')
    .addHelpText(
      'after',
      `
Examples:
  $ p2pmarket schema > scenario.schema.json
  The bundled scenarios reference the committed copy, schema/scenario.schema.json, so editors
  complete and check their fields.`,
    )
    .action(async () => {
      exitCode = (await import('./validate.ts')).schemaCommand();
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    return reportError(e);
  } finally {
    screen.restore();
  }
}

const parseWorkers = (value: string) => positiveInteger('--workers')(value);

function parseSeed(value: string): number {
  const n = parseWholeNumber(value, true);
  if (n === undefined) throw new InputError('command line', [{ path: '--seed', message: `"${clip(value)}" is not a whole number` }]);
  return n;
}

function positiveInteger(option: string): (value: string) => number {
  return (value) => {
    const n = parseWholeNumber(value);
    if (n === undefined || n < 1) throw new InputError('command line', [{ path: option, message: `"${clip(value)}" is not a positive whole number` }]);
    return n;
  };
}

function positive(option: string): (value: string) => number {
  return (value) => {
    const n = parseDecimal(value);
    if (n === undefined || n <= 0) throw new InputError('command line', [{ path: option, message: `"${clip(value)}" is not a positive number` }]);
    return n;
  };
}

/** `--limit name=value`, repeatable: checked at once, and passed on to worker threads and processes through P2PMARKET_LIMITS. */
function collectLimit(value: string, previous: string[] = []): string[] {
  parseLimits([value], 'command line');
  return [...previous, value];
}

function applyLimits(entries: readonly string[] | undefined): void {
  if (!entries?.length) return;
  const current = process.env.P2PMARKET_LIMITS ? process.env.P2PMARKET_LIMITS.split(',') : [];
  process.env.P2PMARKET_LIMITS = [...current, ...entries].join(',');
  environmentLimits(); // checks the whole setting once more
}

function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // Help and version end with code 0; usage errors were already printed by commander.
    return e.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  }
  if (e instanceof InputError) {
    process.stderr.write(`error: ${e.message}\n`);
    return ExitCode.badInput;
  }
  if (process.env.P2PMARKET_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  else process.stderr.write(`error: ${(e as Error).message ?? String(e)}\n`);
  return ExitCode.failure;
}
