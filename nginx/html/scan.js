// scan.js: the checkpoint's page. Staff scan a code (a keyboard-style scanner types its text and
// a line break into the code field), with the direction and, when entering, the temperature; the
// page shows the verdict of POST /api/v1/scans. The device token stays in this browser only.
'use strict';

const KEY = 'hqr.device_token';
const REASONS = {
  NO_VALID_CODE: 'No valid code: no entry.',
  EXPIRED_CODE: 'The code has expired: ask the holder to refresh it and scan again.',
  RED_CODE: 'Red code: no entry.',
  FEVER: 'Temperature at or above the fever threshold: no entry.',
  VISITOR_REGISTRATION: 'Not a resident: register the visit below and scan again.',
};
const VERDICTS = { allow: 'ALLOW', deny: 'DENY', register: 'REGISTER' };
const $ = (id) => document.getElementById(id);

function notice(text) {
  $('notice').textContent = text || '';
  $('notice').hidden = !text;
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
}

function clearErrors() {
  for (const p of document.querySelectorAll('.field-error')) p.textContent = '';
}

function showResult(a) {
  const v = $('verdict');
  v.textContent = VERDICTS[a.verdict] || a.verdict;
  v.className = 'verdict ' + a.verdict;
  const ul = $('reasons');
  ul.textContent = '';
  for (const r of a.reasons) {
    const li = document.createElement('li');
    li.textContent = REASONS[r] || r;
    ul.append(li);
  }
  let who = '';
  if (a.person) {
    who = `${a.person.name_masked} · ${a.person.id_masked}` + (a.color ? ` · ${a.color === 'red' ? 'red' : 'green'} code` : '');
    if (a.checks.includes('ID_DOCUMENT')) who = 'Paper code: check the ID card shows ' + who + '.';
  }
  $('who').textContent = who;
  $('scan-id').textContent = 'Scan ' + a.scan_id + ' recorded.';
  $('result').hidden = false;
  $('visitor').hidden = a.verdict !== 'register';
}

async function scan(ev) {
  ev.preventDefault();
  notice('');
  clearErrors();
  const f = $('scan').elements;
  const qr = f.qr.value.trim();
  if (!qr) {
    document.querySelector('.field-error[data-for=qr]').textContent = 'Scan a code first.';
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
  try {
    r = await fetch('/api/v1/scans', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token(), 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    notice('The service cannot be reached: scan again.');
    return;
  }
  const a = await r.json().catch(() => null);
  if (r.status === 200 && a) {
    showResult(a);
    const keepVisitor = a.verdict === 'register';
    f.qr.value = keepVisitor ? qr : '';
    if (!keepVisitor) {
      f.temperature.value = '';
      f.purpose.value = f.host.value = f.address.value = '';
    }
    (keepVisitor ? f.purpose : f.qr).focus();
    return;
  }
  $('result').hidden = true;
  const err = (a && a.error) || { code: 'HTTP_' + r.status, message: 'unexpected answer' };
  if (r.status === 401) {
    f.qr.value = '';
    localStorage.removeItem(KEY);
    notice('This device token is not valid (unknown or revoked). Ask the operator for a new one.');
    screen();
    return;
  }
  if (r.status === 422) {
    for (const fe of err.fields || []) {
      const key = String(fe.field).split(/[.[]/)[0];
      const p = document.querySelector(`.field-error[data-for="${key}"]`);
      if (p) {
        p.textContent = fe.code === 'REQUIRED' && key === 'temperature' ? 'Measure the temperature: entering needs it.'
          : fe.code === 'VISITOR_REGISTRATION_INVALID' ? 'A purpose and a host or address are needed.' : fe.code;
      }
    }
    return;
  }
  notice(r.status === 503 || r.status === 429 ? 'The service is busy: scan again.' : err.message + ' (' + err.code + ')');
}

document.addEventListener('DOMContentLoaded', () => {
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
  // A code left in the field (a refused scan) is selected: the next scan replaces it.
  $('scan').elements.qr.addEventListener('focus', (ev) => ev.target.select());
  $('forget').addEventListener('click', () => {
    localStorage.removeItem(KEY);
    $('result').hidden = true;
    screen();
  });
  screen();
});
