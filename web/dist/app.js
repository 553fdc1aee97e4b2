// Reclaim status page: reads /api/status (the same figures as `reclaim status --json`; the
// public view suppresses small counts) and draws tables and bar charts. No framework, no build.
const KM = {
  title: 'Reclaim — ស្ថានភាពសកម្មភាពកម្ចាត់មីនជាតិ', ogc: 'OGC API – Features', api: 'API',
  user: 'អ្នកប្រើ', password: 'ពាក្យសម្ងាត់', signin: 'ចូល',
  public: 'ទិដ្ឋភាពសាធារណៈ៖ តួលេខសរុប និងដីដែលបានដោះលែងតែប៉ុណ្ណោះ',
  remaining: 'ការបំពុលដែលនៅសល់ (តំបន់គ្រោះថ្នាក់បើក និងកំពុងដំណើរការ)', type: 'ប្រភេទ',
  hazards: 'តំបន់គ្រោះថ្នាក់', remaining_km2: 'នៅសល់ គ.ម²', union_km2: 'ផ្ទៃពហុកោណ (ត្រួតគ្នារាប់ម្ដង) គ.ម²',
  released: 'ដីដែលបានដោះលែងក្នុងមួយឆ្នាំ គ.ម²', casualties: 'ជនរងគ្រោះក្នុងមួយឆ្នាំ (SDG 18.2.1)',
  provinces: 'តាមខេត្ត', province: 'ខេត្ត', mine_free: 'ភូមិគ្មានមីន / រងផលប៉ះពាល់',
};
const EN = {};
document.querySelectorAll('[data-i18n]').forEach(el => { EN[el.dataset.i18n] = el.textContent; });
let lang = 'en';
document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'en' ? 'km' : 'en';
  const dict = lang === 'km' ? KM : EN;
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = dict[el.dataset.i18n] ?? el.textContent; });
  document.getElementById('lang').textContent = lang === 'en' ? 'ខ្មែរ' : 'English';
});

const km2 = m2 => (m2 / 1e6).toLocaleString('en', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const cell = (tr, text) => { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); };

function bars(svg, series, cls) {
  const ns = 'http://www.w3.org/2000/svg';
  svg.replaceChildren();
  if (!series.length) return;
  const max = Math.max(...series.map(s => s[1] ?? 0), 1);
  const w = 600 / series.length;
  series.forEach(([label, v], i) => {
    const h = ((v ?? 0) / max) * 180;
    const r = document.createElementNS(ns, 'rect');
    r.setAttribute('x', 30 + i * w); r.setAttribute('y', 195 - h);
    r.setAttribute('width', Math.max(w - 2, 1)); r.setAttribute('height', h);
    if (cls) r.setAttribute('class', cls);
    const t = document.createElementNS(ns, 'title'); t.textContent = `${label}: ${v ?? 'suppressed'}`; r.appendChild(t);
    svg.appendChild(r);
    if (i % Math.ceil(series.length / 10) === 0) {
      const tx = document.createElementNS(ns, 'text');
      tx.setAttribute('x', 30 + i * w); tx.setAttribute('y', 210); tx.textContent = label;
      svg.appendChild(tx);
    }
  });
  const top = document.createElementNS(ns, 'text');
  top.setAttribute('x', 2); top.setAttribute('y', 14); top.textContent = max.toLocaleString('en', { maximumFractionDigits: 0 });
  svg.appendChild(top);
}

async function load() {
  const res = await fetch('/api/status', { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`status: HTTP ${res.status}`);
  const s = await res.json();
  const n = s.national;
  const rem = document.querySelector('#remaining tbody');
  rem.replaceChildren();
  const rows = Object.entries(n.remaining_by_contamination ?? {});
  rows.push(['all', n.remaining_total]);
  for (const [type, r] of rows) {
    const tr = document.createElement('tr');
    cell(tr, type); cell(tr, r.hazards); cell(tr, km2(r.remaining_m2)); cell(tr, km2(r.union_area_m2));
    rem.appendChild(tr);
  }
  bars(document.getElementById('released'),
       Object.entries(n.released_by_year ?? {}).map(([y, r]) => [y, r.released_m2 / 1e6]));
  bars(document.getElementById('casualties'),
       Object.entries(n.casualties_by_year ?? {}).filter(([y]) => +y >= 2000).map(([y, c]) => [y, c.total]), 'cas');
  const prov = document.querySelector('#provinces tbody');
  prov.replaceChildren();
  for (const p of s.provinces ?? []) {
    const tr = document.createElement('tr');
    cell(tr, `${p.code} ${p.name}`); cell(tr, p.remaining_total.hazards);
    cell(tr, km2(p.remaining_total.remaining_m2)); cell(tr, `${p.villages_mine_free} / ${p.villages_affected}`);
    prov.appendChild(tr);
  }
  window.__statusReady = true;
}

async function whoami() {
  const r = await fetch('/api/me', { credentials: 'same-origin' });
  if (!r.ok) return;
  const me = await r.json();
  if (me.user) document.getElementById('who').textContent = `${me.user} (${me.role})`;
}

document.getElementById('login').addEventListener('submit', async ev => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const r = await fetch('/api/login', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: f.get('user'), password: f.get('password') }),
  });
  const body = await r.json().catch(() => ({}));
  document.getElementById('who').textContent = r.ok ? `${body.user} (${body.role})` : (body.detail || body.title || `HTTP ${r.status}`);
  if (r.ok) load();
});

whoami();
load().catch(e => { document.getElementById('who').textContent = e.message; });
