/** What every figure shares: its size, its title and fonts (vega-lite), and reading CSV cells as numbers. */

export const WIDTH = 520;
export const HEIGHT = 240;
export const base = (title: string) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: title, anchor: 'start' as const, fontSize: 14 },
  background: 'white',
  config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 } },
});

export const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
