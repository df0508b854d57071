import { z } from '@fester/core/zod';

/**
 * The subset of Grafana's dashboard JSON model (schemaVersion 39, Grafana 10/11) that
 * `fester grafana export` writes. Strict: a typo in a key Grafana would silently ignore fails
 * here instead. The export validates against it, and so do the tests.
 */
const datasourceRef = z.strictObject({ type: z.literal('prometheus'), uid: z.string().min(1) });

const target = z.strictObject({
  refId: z.string().regex(/^[A-Z]$/),
  expr: z.string().min(1),
  legendFormat: z.string(),
  datasource: datasourceRef,
});

const gridPos = z.strictObject({
  h: z.number().int().positive(),
  w: z.number().int().min(1).max(24),
  x: z.number().int().min(0).max(23),
  y: z.number().int().min(0),
}).refine((g) => g.x + g.w <= 24, 'a panel must fit in the 24-column grid');

const thresholds = z.strictObject({
  mode: z.enum(['absolute', 'percentage']),
  steps: z.array(z.strictObject({ color: z.string(), value: z.number().nullable() })).min(1),
});

const fieldConfig = z.strictObject({
  defaults: z.strictObject({
    unit: z.string().optional(),
    thresholds: thresholds.optional(),
    custom: z.record(z.string(), z.unknown()).optional(),
  }),
  overrides: z.array(z.unknown()),
});

const timeseries = z.strictObject({
  id: z.number().int().positive(),
  type: z.literal('timeseries'),
  title: z.string().min(1),
  description: z.string().optional(),
  gridPos,
  datasource: datasourceRef,
  targets: z.array(target).min(1),
  fieldConfig,
  options: z.strictObject({
    legend: z.strictObject({ displayMode: z.enum(['list', 'table', 'hidden']), placement: z.enum(['bottom', 'right']), showLegend: z.boolean() }),
    tooltip: z.strictObject({ mode: z.enum(['single', 'multi', 'none']), sort: z.enum(['none', 'asc', 'desc']) }),
  }),
});

const row = z.strictObject({
  id: z.number().int().positive(),
  type: z.literal('row'),
  title: z.string().min(1),
  collapsed: z.boolean(),
  gridPos,
  panels: z.array(z.never()),
});

export const panelSchema = z.discriminatedUnion('type', [timeseries, row]);

const variable = z.union([
  z.strictObject({
    name: z.string(), label: z.string(), type: z.literal('datasource'), query: z.literal('prometheus'), hide: z.number(),
    current: z.strictObject({ text: z.string(), value: z.string() }),
  }),
  z.strictObject({
    name: z.string(), label: z.string(), type: z.literal('query'), datasource: datasourceRef, hide: z.number(),
    query: z.strictObject({ query: z.string(), refId: z.string() }),
    refresh: z.union([z.literal(1), z.literal(2)]), includeAll: z.boolean(), multi: z.boolean(), allValue: z.string(),
    current: z.strictObject({ text: z.string(), value: z.string() }),
  }),
]);

export const dashboardSchema = z.strictObject({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, 'Grafana uids are at most 40 characters of [a-zA-Z0-9_-]'),
  title: z.string().min(1),
  description: z.string(),
  tags: z.array(z.string()),
  timezone: z.enum(['browser', 'utc', '']),
  editable: z.boolean(),
  schemaVersion: z.number().int().min(36),
  version: z.number().int(),
  refresh: z.string().regex(/^\d+[smhd]$/),
  time: z.strictObject({ from: z.string(), to: z.string() }),
  templating: z.strictObject({ list: z.array(variable) }),
  annotations: z.strictObject({ list: z.array(z.unknown()) }),
  panels: z.array(panelSchema).min(1),
}).superRefine((d, ctx) => {
  const ids = d.panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'panel ids must be unique' });
  // Every "$var" a query uses must be a declared variable (or a Grafana built-in).
  const declared = new Set(d.templating.list.map((v) => v.name));
  for (const p of d.panels) {
    if (p.type !== 'timeseries') continue;
    for (const t of p.targets) for (const m of t.expr.matchAll(/\$(\w+)/g)) {
      if (!declared.has(m[1]!) && !m[1]!.startsWith('__')) ctx.addIssue({ code: 'custom', message: `panel "${p.title}" uses undeclared variable $${m[1]}` });
    }
  }
});

export type Dashboard = z.infer<typeof dashboardSchema>;
export type Panel = z.infer<typeof panelSchema>;
