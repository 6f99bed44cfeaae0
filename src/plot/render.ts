/**
 * vega-lite → vega → SVG, in Node, without a browser (vega's headless `renderer: 'none'` view
 * and its SVG string renderer). Text is measured by vega's built-in estimate, as no canvas
 * is installed.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const view = await renderView(spec);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The vega view of a specification, run (its scenegraph holds every mark and its datum). */
export async function renderView(spec: Record<string, unknown>): Promise<vega.View> {
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  await view.runAsync();
  return view;
}
