// scan.js: the checkpoint's page. Staff scan a code with the device's camera (the browser's
// BarcodeDetector where it has one, else the jsQR decoder the build copies into /vendor/) or with a
// keyboard-style scanner (it types the code's text and a line break into the code field), with the
// direction and, when entering, the temperature; the verdict of POST /api/v1/scans fills the
// screen in its color, with its reasons in words, a sound and a vibration where the device has
// them. The device token stays in this browser only.
'use strict';

const T = I18N.t;
I18N.add({
  'scan.title': ['卡口扫码', 'Checkpoint scanner'],
  'scan.token': ['设备令牌', 'Device token'],
  'scan.use_token': ['使用此设备令牌', 'Use this device token'],
  'scan.direction': ['方向', 'Direction'],
  'scan.in': ['进入', 'Entering'],
  'scan.out': ['离开', 'Leaving'],
  'scan.temperature': ['体温（°C）', 'Temperature (°C)'],
  'scan.visitor': ['访客登记', 'Visitor registration'],
  'scan.purpose': ['来访事由', 'Purpose'],
  'scan.host': ['被访人', 'Host visited'],
  'scan.address': ['被访地址', 'Address visited'],
  'scan.qr': ['健康码（扫描枪扫码，或粘贴码的文字）', 'Code (scan it, or paste its text)'],
  'scan.check': ['核验', 'Check'],
  'scan.camera_start': ['用摄像头扫码', 'Scan with the camera'],
  'scan.camera_stop': ['关闭摄像头', 'Stop the camera'],
  'scan.camera_view': ['摄像头画面', 'Camera view'],
  'scan.camera_on': ['请将健康码对准摄像头。', 'Hold the code in front of the camera.'],
  'scan.camera_denied': ['无法打开摄像头，请允许使用摄像头，或使用扫描枪。', 'The camera cannot be opened: allow it, or use the scanner.'],
  'scan.no_camera': ['此设备不支持摄像头扫码，请使用扫描枪。', 'This device cannot scan with a camera: use the scanner.'],
  'scan.forget': ['清除此设备令牌', 'Forget this device token'],
  'scan.next': ['继续扫码', 'Next scan'],
  'scan.register_now': ['登记来访', 'Register the visit'],
  'scan.allow': ['通行', 'ALLOW'],
  'scan.deny': ['禁止通行', 'DENY'],
  'scan.register': ['请登记', 'REGISTER'],
  'scan.first': ['请先扫码。', 'Scan a code first.'],
  'scan.need_temperature': ['请测量体温：进入须测体温。', 'Measure the temperature: entering needs it.'],
  'scan.bad_token': ['此设备令牌无效（未知或已吊销），请向管理员申请新令牌。', 'This device token is not valid (unknown or revoked). Ask the operator for a new one.'],
  'scan.busy': ['服务繁忙，请重新扫码。', 'The service is busy: scan again.'],
  'scan.unreachable': ['无法连接服务，请重新扫码。', 'The service cannot be reached: scan again.'],
  'scan.recorded': ['扫码记录 {id} 已保存。', 'Scan {id} recorded.'],
  'scan.at': ['{time}（{day}）', '{time} ({day})'],
  'scan.paper_check': ['纸质码：请核对身份证件为 {who}。', 'Paper code: check the ID card shows {who}.'],
});

const KEY = 'hqr.device_token';
const $ = (id) => document.getElementById(id);
let last = null; // the answer shown, to redraw its words on a language switch

function notice(text, key) {
  const n = $('notice');
  n.textContent = text || '';
  if (key) n.dataset.i18n = key;
  else delete n.dataset.i18n;
  n.hidden = !text;
}

function token() {
  try {
    return localStorage.getItem(KEY) || '';
  } catch (e) {
    return '';
  }
}

function screen() {
  const has = token() !== '';
  $('setup').hidden = has;
  $('scanner').hidden = !has;
  if (has) $('scan').elements.qr.focus();
  else stopCamera();
}

function clearErrors() {
  for (const p of document.querySelectorAll('.field-error')) {
    p.textContent = '';
    delete p.dataset.i18n;
  }
}

function fieldError(key, text, i18nKey) {
  const p = document.querySelector(`.field-error[data-for="${key}"]`);
  if (!p) return;
  p.textContent = text;
  if (i18nKey) p.dataset.i18n = i18nKey;
}

// A short tone and a vibration: one high tone to pass, two low ones to stop.
let audio = null;
function signal(verdict) {
  const ok = verdict === 'allow';
  try {
    if (navigator.vibrate) navigator.vibrate(ok ? 120 : [200, 100, 200]);
  } catch (e) { /* no vibration here */ }
  try {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    audio = audio || new AC();
    const beeps = ok ? [[880, 0]] : [[330, 0], [330, 0.28]];
    for (const [f, at] of beeps) {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = f;
      g.gain.value = 0.2;
      o.connect(g).connect(audio.destination);
      o.start(audio.currentTime + at);
      o.stop(audio.currentTime + at + 0.18);
    }
  } catch (e) { /* no sound here */ }
}

function drawResult() {
  const a = last;
  if (!a) return;
  const v = $('verdict');
  v.textContent = I18N.has('scan.' + a.verdict) ? T('scan.' + a.verdict) : a.verdict;
  $('result').className = 'scan-verdict ' + a.verdict;
  const ul = $('reasons');
  ul.textContent = '';
  for (const r of [...a.reasons, ...(a.checks || []).filter((k) => k !== 'ID_DOCUMENT')]) {
    const li = document.createElement('li');
    li.textContent = I18N.word(r);
    ul.append(li);
  }
  let who = '';
  if (a.person) {
    who = `${a.person.name_masked} · ${a.person.id_masked}`;
    if ((a.checks || []).includes('ID_DOCUMENT')) who = T('scan.paper_check', { who });
  }
  $('who').textContent = who;
  $('scan-color').textContent = a.person && (a.color === 'green' || a.color === 'red') ? T('color.' + a.color) : '';
  const at = Date.parse(a.server_time);
  $('scan-time').textContent = Number.isNaN(at) ? '' : T('scan.at', { time: I18N.time(at), day: I18N.day(at) });
  $('scan-id').textContent = T('scan.recorded', { id: a.scan_id });
  $('next').textContent = T(a.verdict === 'register' ? 'scan.register_now' : 'scan.next');
}

function showResult(a) {
  last = a;
  drawResult();
  $('result').hidden = false;
  $('result').dataset.scanId = a.scan_id;
  $('visitor').hidden = a.verdict !== 'register';
  signal(a.verdict);
}

// The verdict stays until the next scan replaces it or staff tap it away.
function hideResult(refocus) {
  if ($('result').hidden) return;
  $('result').hidden = true;
  if (refocus === false) return;
  const f = $('scan').elements;
  (last && last.verdict === 'register' ? f.purpose : f.qr).focus();
}

let busy = false;
async function scan(ev) {
  if (ev) ev.preventDefault();
  if (busy) return;
  notice('');
  clearErrors();
  const f = $('scan').elements;
  const qr = f.qr.value.trim();
  if (!qr) {
    fieldError('qr', T('scan.first'), 'scan.first');
    return;
  }
  const body = { qr, direction: $('scan').querySelector('input[name=direction]:checked').value };
  const t = f.temperature.value.trim();
  if (t) body.temperature = t;
  if (!$('visitor').hidden && (f.purpose.value.trim() || f.host.value.trim() || f.address.value.trim())) {
    body.visitor = { purpose: f.purpose.value.trim() };
    if (f.host.value.trim()) body.visitor.host = f.host.value.trim();
    if (f.address.value.trim()) body.visitor.address = f.address.value.trim();
  }
  let r;
  busy = true;
  try {
    r = await fetch('/api/v1/scans', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token(), 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    notice(T('scan.unreachable'), 'scan.unreachable');
    return;
  } finally {
    busy = false;
  }
  const a = await r.json().catch(() => null);
  if (r.status === 200 && a) {
    const keepVisitor = a.verdict === 'register';
    f.qr.value = keepVisitor ? qr : '';
    if (!keepVisitor) {
      f.temperature.value = '';
      f.purpose.value = f.host.value = f.address.value = '';
    }
    showResult(a);
    f.qr.focus();
    return;
  }
  hideResult(false);
  const err = (a && a.error) || { code: r.status === 503 ? 'UNAVAILABLE' : 'INTERNAL' };
  if (r.status === 401) {
    f.qr.value = '';
    localStorage.removeItem(KEY);
    notice(T('scan.bad_token'), 'scan.bad_token');
    screen();
    return;
  }
  if (r.status === 422) {
    for (const fe of err.fields || []) {
      const key = String(fe.field).split(/[.[]/)[0];
      if (fe.code === 'REQUIRED' && key === 'temperature') fieldError(key, T('scan.need_temperature'), 'scan.need_temperature');
      else fieldError(key, I18N.word(fe.code), 'w.' + fe.code);
    }
    return;
  }
  if (r.status === 503 || r.status === 429) notice(T('scan.busy'), 'scan.busy');
  else notice(I18N.word(err.code), 'w.' + err.code);
}

// The camera: frames are read a few times a second while no scan is in flight; a code read is
// put in the code field and checked as if a scanner had typed it. A code is checked once while its
// verdict is shown; after that, again only once it was out of sight for 3 seconds.
const cam = { stream: null, detector: null, timer: null, canvas: null, lastText: '', lastAt: 0, decoder: '' };

function loadJsQR() {
  if (window.jsQR) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/vendor/jsQR.js';
    s.onload = resolve;
    s.onerror = reject;
    document.head.append(s);
  });
}

async function startCamera() {
  notice('');
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    notice(T('scan.no_camera'), 'scan.no_camera');
    return;
  }
  try {
    cam.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (e) {
    notice(T('scan.camera_denied'), 'scan.camera_denied');
    return;
  }
  cam.detector = null;
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) cam.detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    } catch (e) { /* fall back to jsQR */ }
  }
  try {
    if (!cam.detector) await loadJsQR();
  } catch (e) {
    stopCamera();
    notice(T('scan.no_camera'), 'scan.no_camera');
    return;
  }
  cam.decoder = cam.detector ? 'BarcodeDetector' : 'jsQR';
  const v = $('camera-video');
  v.srcObject = cam.stream;
  $('camera').hidden = false;
  $('camera').dataset.decoder = cam.decoder;
  $('camera-start').hidden = true;
  $('camera-stop').hidden = false;
  $('camera-status').dataset.i18n = 'scan.camera_on';
  $('camera-status').textContent = T('scan.camera_on');
  await v.play().catch(() => {});
  readFrame();
}

function stopCamera() {
  clearTimeout(cam.timer);
  cam.timer = null;
  if (cam.stream) for (const tr of cam.stream.getTracks()) tr.stop();
  cam.stream = null;
  $('camera-video').srcObject = null;
  $('camera').hidden = true;
  $('camera-start').hidden = false;
  $('camera-stop').hidden = true;
}

async function decodeFrame(v) {
  if (cam.detector) {
    const found = await cam.detector.detect(v);
    return found.length ? found[0].rawValue : '';
  }
  const scale = Math.min(1, 640 / Math.max(v.videoWidth, v.videoHeight));
  const w = Math.round(v.videoWidth * scale), h = Math.round(v.videoHeight * scale);
  cam.canvas = cam.canvas || document.createElement('canvas');
  cam.canvas.width = w;
  cam.canvas.height = h;
  const ctx = cam.canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(v, 0, 0, w, h);
  const got = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: 'dontInvert' });
  return got ? got.data : '';
}

async function readFrame() {
  if (!cam.stream) return;
  const v = $('camera-video');
  try {
    if (!busy && v.readyState >= 2 && v.videoWidth > 0) {
      const text = (await decodeFrame(v)).trim();
      const now = Date.now();
      const again = text === cam.lastText && (now - cam.lastAt < 3000 || !$('result').hidden);
      if (text) cam.lastAt = now;
      if (text && !again) {
        cam.lastText = text;
        $('scan').elements.qr.value = text;
        await scan();
      }
    }
  } catch (e) { /* a frame that cannot be read: the next one */ }
  if (cam.stream) cam.timer = setTimeout(readFrame, 150);
}

document.addEventListener('DOMContentLoaded', () => {
  for (const p of document.querySelectorAll('.field-error[data-for]')) {
    p.id = 'err-' + p.dataset.for;
    p.setAttribute('aria-live', 'polite');
    const names = p.dataset.for === 'visitor' ? ['purpose', 'host', 'address'] : [p.dataset.for];
    for (const n of names) for (const el of document.querySelectorAll(`[name="${n}"]`)) el.setAttribute('aria-describedby', p.id);
  }
  $('setup').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('setup').elements.token.value.trim();
    if (!t) return;
    localStorage.setItem(KEY, t);
    $('setup').reset();
    notice('');
    screen();
  });
  $('scan').addEventListener('submit', scan);
  // A code left in the field (a refused scan) is selected: the next scan replaces it; typing
  // the next code (a scanner) takes the verdict off the screen.
  $('scan').elements.qr.addEventListener('focus', (ev) => ev.target.select());
  $('scan').elements.qr.addEventListener('input', () => hideResult(false));
  $('next').addEventListener('click', () => hideResult());
  $('result').addEventListener('click', (ev) => {
    if (ev.target === $('result')) hideResult();
  });
  $('camera-start').addEventListener('click', startCamera);
  $('camera-stop').addEventListener('click', stopCamera);
  $('forget').addEventListener('click', () => {
    localStorage.removeItem(KEY);
    hideResult();
    screen();
  });
  screen();
});

document.addEventListener('hqr:lang', () => {
  drawResult();
  for (const el of document.querySelectorAll('#notice[data-i18n], .field-error[data-i18n], #camera-status[data-i18n]')) {
    el.textContent = T(el.dataset.i18n);
  }
});
