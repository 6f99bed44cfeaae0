/** The JSON Schema of scenario files, from the same zod schema that checks them (`p2pmarket schema`). */
import { z } from 'zod';
import { ScenarioFileSchema } from './schema.ts';

/** The JSON Schema (draft 2020-12) of scenario files (the file form: series inline or from profiles), for editors and other tools. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ScenarioFileSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://github.com/p2pmarket/p2pmarket/schema/scenario.schema.json',
    title: 'p2pmarket scenario',
    description: 'A feeder, its prosumers and the utility\'s requests (powers in kW, injection positive; energies in kWh; time in hours; voltages in p.u.; impedances in Ω).',
  };
}
