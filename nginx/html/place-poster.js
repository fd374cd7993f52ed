// place-poster.js: the printable poster of a place code (/place-poster.html?id=N): the QR of the
// place's URL, the place's name, type and label (a taxi's plate) and the instruction in Chinese
// and English (the page around it in one language, zh-CN first, English on the switch). Read
// through the staff API with an operator's token, kept for this session only.
'use strict';

I18N.add({
  'poster.title': ['场所码海报', 'Place code poster'],
  'poster.token': ['运营人员令牌', 'Operator token'],
  'poster.show': ['显示海报', 'Show the poster'],
  'poster.print': ['打印', 'Print'],
  'poster.no_id': ['缺少场所码编号（?id=）。', 'The place code\'s id (?id=) is missing.'],
  'poster.bad_token': ['令牌无效。', 'The token was not accepted.'],
  'poster.step_scan': ['请用手机“扫一扫”扫描此码。', 'Scan this code with the chat app\'s camera.'],
  'poster.step_show': ['选择同行的人，签到后向工作人员或司机出示结果。',
    'Choose who is with you, check in and show the result to the staff or the driver.'],
  'poster.when_moving': ['乘客请在上车后、车辆开动前扫码。', 'Passengers: scan before the car moves.'],
  'poster.when_door': ['进入前扫码，离开时也可扫码。', 'Scan before you enter; scan again when you leave.'],
});

const KEY = 'hqr.operator_token';
const $ = (id) => document.getElementById(id);
const id = (new URLSearchParams(location.search).get('id') || '').match(/^[1-9][0-9]{0,18}$/);

async function load() {
  const t = placeStored('session', KEY);
  $('setup').hidden = t !== '';
  $('forget').hidden = t === '';
  if (!id) {
    placeNotice(() => I18N.t('poster.no_id'));
    return;
  }
  if (!t) return;
  const res = await placeApi('GET', `/api/v1/admin/place-codes/${id[0]}`, undefined, { Authorization: 'Bearer ' + t });
  if (res.status === 401 || res.status === 403) {
    sessionStorage.removeItem(KEY);
    placeNotice(() => I18N.t('poster.bad_token'));
    $('setup').hidden = false;
    return;
  }
  if (res.status !== 200) {
    placeNotice(() => placeErrorWords(res));
    return;
  }
  const pc = res.body;
  if (pc.revoked || !pc.qr_png) {
    placeNotice(() => I18N.word('PLACE_CODE_REVOKED'));
    return;
  }
  $('poster-name').textContent = pc.place.name;
  const type = I18N.entry('ptype.' + pc.place.type);
  if (type) placeBoth($('poster-type'), 'ptype.' + pc.place.type);
  else $('poster-type').textContent = pc.place.type;
  $('poster-label').textContent = pc.label;
  $('poster-label').hidden = !pc.label;
  const moving = pc.place.type === 'taxi' || pc.place.type === 'ride_hailing';
  placeBoth($('step-when'), moving ? 'poster.when_moving' : 'poster.when_door');
  $('poster-qr').src = pc.qr_png;
  $('poster-qr').dataset.url = pc.url;
  $('poster').hidden = false;
  $('print').hidden = false;
  placeNotice(null);
}

document.addEventListener('DOMContentLoaded', () => {
  placeBothAll();
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
