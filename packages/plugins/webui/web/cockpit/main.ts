import { $, h } from '../dom.js';
import { Coordinator, type ModuleConfig } from './client.js';
import { farmActivity, type FarmBuild } from './farmActivity.js';

/**
 * Cockpit module "Fester": the farm's nodes with set-policy controls, the builds, and links
 * to the coordinator's live DAG and replay pages. The coordinator URL comes from config.json
 * (written by `fester cockpit install --coordinator`) unless this browser saved another one.
 */
interface NodeRow {
  id: string;
  kind?: string;
  arch?: string;
  state?: string;
  stateReason?: string;
  policy?: string;
  load?: number;
  temps?: { sensor: string; celsius: number }[];
  running?: number;
  slots?: number;
  lastHeartbeat?: number;
  targets?: string[];
}

interface BuildRow { id?: string; buildId?: string; session?: string; status?: string; project?: string; file?: string; startedAt?: number }

const POLICIES = ['preferred', 'neutral', 'avoid', 'drain'];
const STORE = 'fester.coordinator';
let config: ModuleConfig = {};
let client: Coordinator | undefined;
let timer: number | undefined;

function setStatus(text: string, kind: 'ok' | 'warn' | 'error'): void {
  const el = $('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

/** The outcome of the last change, apart from the connection status that every refresh rewrites. */
function setNotice(text: string, kind: 'ok' | 'error'): void {
  const el = $('notice');
  el.textContent = text;
  el.dataset.kind = kind;
}

async function loadConfig(): Promise<ModuleConfig> {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (res.ok) return (await res.json()) as ModuleConfig;
  } catch { /* no config file: the form asks */ }
  return {};
}

function connect(url: string): void {
  client?.close();
  client = undefined;
  try {
    client = new Coordinator(url.replace(/\/+$/, ''), config, () => ($('token') as HTMLInputElement).value.trim() || undefined);
  } catch {
    setStatus(`not a coordinator URL: ${url}`, 'error');
    return;
  }
  for (const id of ['live-link', 'replay-link']) $(id).setAttribute('href', `${client.url}/ui/${id === 'live-link' ? 'live_dag.html' : 'replay.html'}`);
  window.clearInterval(timer);
  timer = window.setInterval(() => void refresh(), 3000);
  void refresh();
}

async function refresh(): Promise<void> {
  const c = client;
  if (!c) return;
  try {
    const body = await c.get<{ nodes: NodeRow[] } | NodeRow[]>('/api/nodes');
    renderNodes(Array.isArray(body) ? body : body.nodes);
    setStatus(`connected to ${c.url}`, 'ok');
  } catch (e) {
    setStatus(`cannot reach ${c.url}: ${(e as Error).message}`, 'error');
    return;
  }
  try {
    renderFarm(await farmActivity(c));
  } catch (e) {
    $('farm-builds').replaceChildren(h('p', { class: 'hint' }, `farm activity unavailable: ${(e as Error).message}`));
  }
  try {
    const body = await c.get<BuildRow[] | { builds: BuildRow[] }>('/api/builds');
    renderBuilds(c.url, Array.isArray(body) ? body : body.builds);
  } catch (e) {
    $('builds').replaceChildren(h('p', { class: 'hint' }, `builds unavailable: ${(e as Error).message}`));
  }
}

function renderNodes(nodes: NodeRow[]): void {
  const now = Date.now();
  const rows = nodes.map((n) => {
    const select = h('select', { 'aria-label': `policy of ${n.id}` }, ...POLICIES.map((p) => h('option', { value: p }, p)));
    select.value = n.policy ?? 'neutral';
    const apply = h('button', { type: 'button', class: 'pf-v5-c-button pf-m-secondary' }, 'set');
    apply.addEventListener('click', () => void setPolicy(n.id, select.value));
    const temp = n.temps?.length ? `${Math.max(...n.temps.map((t) => t.celsius)).toFixed(0)} °C` : '—';
    return h('tr', { 'data-node': n.id },
      h('td', {}, n.id), h('td', {}, n.kind ?? '—'), h('td', {}, n.arch ?? '—'),
      h('td', { title: n.stateReason ?? '' }, n.state ?? '—'),
      h('td', {}, n.load !== undefined ? n.load.toFixed(2) : '—'), h('td', {}, temp),
      h('td', {}, `${n.running ?? 0}/${n.slots ?? '?'}`),
      h('td', {}, n.lastHeartbeat ? `${Math.max(0, Math.round((now - n.lastHeartbeat) / 1000))} s ago` : '—'),
      h('td', { class: 'policy', 'data-policy': n.policy ?? 'neutral' }, n.policy ?? 'neutral'),
      h('td', {}, select, ' ', apply));
  });
  $('nodes').replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '10', class: 'hint' }, 'no nodes registered'))]));
  $('node-count').textContent = String(nodes.length);
}

function renderFarm(list: FarmBuild[]): void {
  const now = Date.now();
  $('farm-builds').replaceChildren(list.length
    ? h('ul', {}, ...list.map((b) => h('li', { 'data-build': b.build },
      h('b', {}, b.build), ` · ${b.leases} lease${b.leases === 1 ? '' : 's'} on ${b.nodes.join(', ')}`,
      b.revoked ? ` · ${b.revoked} revoked` : '', ` · last ${Math.max(0, Math.round((now - b.lastTs) / 1000))} s ago`)))
    : h('p', { class: 'hint' }, 'no leases in the last 15 minutes'));
}

function renderBuilds(base: string, list: BuildRow[]): void {
  // Only builds whose journal the coordinator holds (they have a project file): the ids it
  // knows from leases alone belong to another process's journal and never finish here.
  const recent = list.filter((b) => b.file !== undefined || b.project !== undefined)
    .sort((p, q) => (q.startedAt ?? 0) - (p.startedAt ?? 0)).slice(0, 15);
  $('builds').replaceChildren(recent.length ? h('ul', {}, ...recent.map((b) => {
    const id = b.id ?? b.buildId ?? '';
    const session = b.session ?? id.slice(0, id.lastIndexOf('.'));
    const q = `?session=${encodeURIComponent(session)}`;
    return h('li', { 'data-build': id }, h('b', {}, b.project ?? 'build'), ` ${id} · ${b.status ?? 'running'} · `,
      h('a', { href: `${base}/ui/live_dag.html${q}`, target: '_blank', rel: 'noopener' }, 'live DAG'), ' · ',
      h('a', { href: `${base}/ui/replay.html${q}`, target: '_blank', rel: 'noopener' }, 'replay'));
  })) : h('p', { class: 'hint' }, 'no builds yet'));
}

async function setPolicy(node: string, policy: string): Promise<void> {
  if (!client) return;
  try {
    let by = 'cockpit';
    if (typeof cockpit !== 'undefined' && cockpit) by = `cockpit:${(await cockpit.user()).name}`;
    await client.post(`/api/nodes/${encodeURIComponent(node)}/policy`, { policy, by });
    setNotice(`${node}: policy ${policy}`, 'ok');
  } catch (e) {
    setNotice(`cannot set the policy of ${node}: ${(e as Error).message}`, 'error');
  }
  await refresh();
}

async function main(): Promise<void> {
  config = await loadConfig();
  const input = $('coordinator') as HTMLInputElement;
  input.value = localStorage.getItem(STORE) ?? config.coordinator ?? '';
  $('settings').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = input.value.trim();
    if (url) localStorage.setItem(STORE, url); else localStorage.removeItem(STORE);
    connect(url || config.coordinator || '');
  });
  if (input.value) connect(input.value);
  else setStatus('give the coordinator URL (or run fester cockpit install --coordinator <url>)', 'warn');
  document.body.dataset.ready = '1';
}

void main();
