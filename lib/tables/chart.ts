/**
 * Charts as SVG strings, made in Node with vega-lite (no browser). Notebooks cannot import vega-lite
 * themselves (tslab ignores `exports` maps), so they call these and display the SVG.
 *
 * @example
 * showSvg(await barChart(tally(jobs, ['errorClass']), { x: 'errorClass', y: 'count', title: 'Dead jobs by class' }), 'dead jobs by class');
 */
export interface BarChartOptions {
  x: string;
  y: string;
  /** Optional colour grouping (stacked bars). */
  color?: string;
  title?: string;
  width?: number;
  height?: number;
  /** `temporal` for dates on x. Default `nominal`. */
  xType?: 'nominal' | 'ordinal' | 'temporal';
}

export async function barChart(rows: readonly Record<string, unknown>[], options: BarChartOptions): Promise<string> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: options.width ?? 480,
    height: options.height ?? 220,
    data: { values: rows.map((r) => ({ ...r })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: options.x, type: options.xType ?? 'nominal', sort: options.xType === 'temporal' ? undefined : '-y', axis: { labelAngle: -30, labelLimit: 220 } },
      y: { field: options.y, type: 'quantitative' },
      ...(options.color ? { color: { field: options.color, type: 'nominal' } } : {}),
    },
  };
  return renderVegaLite(spec);
}

/** Renders any vega-lite spec to SVG. */
export async function renderVegaLite(spec: object): Promise<string> {
  // vega and vega-lite are ESM-only: load them with a real dynamic import.
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
