// card.js: a relative's paper code as a card to print (A6): the QR, the masked name and ID, the
// paper serial and the date printed (in the city's zone), and "valid only with an ID card" in both
// languages.
// ?id=PERSON names the person; only a holder of that person gets its details and image.
'use strict';

I18N.add({
  'card.title': ['纸质健康码', 'Paper health code'],
  'card.heading': ['健康码（纸质）', 'Health code (paper)'],
  'card.print': ['打印', 'Print'],
  'card.hint': ['请用 A6 纸（或将打印比例调为实际大小）打印，交给持码人随身携带。',
    'Print on A6 paper (or at actual size) and give it to the holder to carry.'],
  'card.qr_alt': ['纸质健康码二维码', 'Paper health code QR'],
  'card.id': ['证件号', 'ID'],
  'card.serial': ['编号', 'Serial'],
  'card.printed': ['打印日期', 'Printed'],
  'card.missing': ['找不到此人的纸质码。', 'There is no paper code for this person here.'],
  'nav.home': ['← 返回', '← Back'],
});

const $ = (id) => document.getElementById(id);

async function load() {
  const id = new URLSearchParams(location.search).get('id') || '';
  const base = `/api/v1/persons/${encodeURIComponent(id)}`;
  let r;
  try {
    r = await fetch(base, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch (e) {
    r = null;
  }
  const p = r && r.status === 200 ? await r.json().catch(() => null) : null;
  if (!p || !id) {
    const n = $('notice');
    n.dataset.i18n = r && r.status === 401 ? 'w.UNAUTHENTICATED' : 'card.missing';
    n.textContent = I18N.t(n.dataset.i18n);
    n.hidden = false;
    return;
  }
  $('card-name').textContent = p.name_masked;
  $('card-id').textContent = p.id_masked;
  $('card-serial').textContent = String(p.paper_serial || '');
  // The date printed, as the city reads it (its zone, the service's clock): the code's status
  // gives both; the device's own clock and zone only where it cannot be read.
  const st = await fetch(base + '/code', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    .then((res) => (res.status === 200 ? res.json() : null)).catch(() => null);
  if (st && st.time_zone) I18N.zone = st.time_zone;
  const at = st ? Date.parse(st.server_time) : NaN;
  $('card-date').textContent = I18N.date(Number.isNaN(at) ? Date.now() : at);
  const img = $('card-qr');
  await new Promise((resolve) => {
    img.onload = img.onerror = resolve;
    img.src = base + '/paper-code.png';
  });
  $('card').hidden = false;
  document.body.dataset.ready = '1';
}

document.addEventListener('DOMContentLoaded', () => {
  $('print').addEventListener('click', () => window.print());
  load();
});
