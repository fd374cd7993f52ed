// place-poster.js: the printable poster of a place code (/place-poster.html?id=N): the QR of the
// place's URL, the place's name, type and label (a taxi's plate) and the instruction in Chinese
// and English. Read through the staff API with an operator's token, kept for this session only.
'use strict';

const KEY = 'hqr.operator_token';
const $ = (id) => document.getElementById(id);
const id = (new URLSearchParams(location.search).get('id') || '').match(/^[1-9][0-9]{0,18}$/);

function notice(pair) {
  $('notice').hidden = !pair;
  if (pair) bilingual($('notice'), pair);
}

function stored() {
  try {
    return sessionStorage.getItem(KEY) || '';
  } catch (e) {
    return '';
  }
}

async function load() {
  const t = stored();
  $('setup').hidden = t !== '';
  $('forget').hidden = t === '';
  if (!id) {
    notice(['缺少场所码编号（?id=）。', 'The place code\'s id (?id=) is missing.']);
    return;
  }
  if (!t) return;
  const res = await placeApi('GET', `/api/v1/admin/place-codes/${id[0]}`, undefined, { Authorization: 'Bearer ' + t });
  if (res.status === 401 || res.status === 403) {
    sessionStorage.removeItem(KEY);
    notice(['令牌无效。', 'The token was not accepted.']);
    $('setup').hidden = false;
    return;
  }
  if (res.status !== 200) {
    notice(placeErrorWords(res));
    return;
  }
  const pc = res.body;
  if (pc.revoked || !pc.qr_png) {
    notice(PLACE_ERRORS.PLACE_CODE_REVOKED);
    return;
  }
  $('poster-name').textContent = pc.place.name;
  bilingual($('poster-type'), placeTypeWords(pc.place.type));
  $('poster-label').textContent = pc.label;
  $('poster-label').hidden = !pc.label;
  const moving = pc.place.type === 'taxi' || pc.place.type === 'ride_hailing';
  bilingual($('step-when'), moving
    ? ['乘客请在上车后、车辆开动前扫码。', 'Passengers: scan before the car moves.']
    : ['进入前扫码，离开时也可扫码。', 'Scan before you enter; scan again when you leave.']);
  $('poster-qr').src = pc.qr_png;
  $('poster-qr').dataset.url = pc.url;
  $('poster').hidden = false;
  $('print').hidden = false;
  notice(null);
}

document.addEventListener('DOMContentLoaded', () => {
  $('setup').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('setup').elements.token.value.trim();
    if (!t) return;
    sessionStorage.setItem(KEY, t);
    $('setup').reset();
    load();
  });
  $('print').addEventListener('click', () => window.print());
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    $('poster').hidden = true;
    $('print').hidden = true;
    load();
  });
  load();
});
