// KafkaWsProxy console: plain JavaScript, no build step. Frames and query
// parameters are those of docs/protocol.md §4 (produce) and §5 (consume).
'use strict';

const FORMATS = ['string', 'json', 'int', 'short', 'long', 'float', 'double'];
const BOOLEANS = ['true', 'false'];
const MAX_ROWS = 500;

// Every query parameter of each socket: adding one to the protocol is one line here.
// choices: a select (the empty choice leaves the parameter out); number: a numeric input.
const SOCKETS = {
  in: {
    path: '/socket/in',
    params: [
      { name: 'clientId', value: 'console', required: true },
      { name: 'topic', value: 'demo', required: true },
      { name: 'instanceId' },
      { name: 'socketPayload', choices: ['json'] },
      { name: 'keyType', choices: FORMATS },
      { name: 'valType', choices: FORMATS },
      { name: 'transactional', choices: BOOLEANS },
    ],
  },
  out: {
    path: '/socket/out',
    params: [
      { name: 'clientId', value: 'console', required: true },
      { name: 'topic', value: 'demo', required: true },
      { name: 'groupId' },
      { name: 'socketPayload', choices: ['json'] },
      { name: 'keyType', choices: FORMATS },
      { name: 'valType', choices: FORMATS },
      { name: 'offsetResetStrategy', choices: ['earliest', 'latest', 'none'] },
      { name: 'isolationLevel', choices: ['read_uncommitted', 'read_committed'] },
      { name: 'rate', number: true },
      { name: 'batchSize', number: true },
      { name: 'autoCommit', choices: BOOLEANS },
    ],
  },
};

// Names of the close codes of docs/protocol.md §6 (and 1006, which only a browser reports).
const CLOSE_NAMES = {
  1000: 'normal closure', 1001: 'going away: the server is shutting down', 1006: 'abnormal closure: no close frame',
  1008: 'policy violation', 1009: 'frame too big', 1011: 'server error',
};

const $ = (id) => document.getElementById(id);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function logEvent(text) {
  const item = element('li', `${new Date().toLocaleTimeString()} ${text}`);
  const events = $('events');
  events.append(item);
  while (events.childElementCount > MAX_ROWS) events.firstElementChild.remove();
}

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// ------------------------------------------------------------------ sockets

class SocketPanel {
  constructor(kind, onFrame, onStateChange) {
    this.kind = kind;
    this.spec = SOCKETS[kind];
    this.onFrame = onFrame;
    this.onStateChange = onStateChange;
    this.socket = null;
    this.renderParams();
    $(`${kind}-form`).addEventListener('submit', (e) => { e.preventDefault(); this.connect(); });
    $(`${kind}-form`).addEventListener('input', () => this.showUrl());
    $(`${kind}-disconnect`).addEventListener('click', () => this.disconnect());
    for (const id of ['auth-token', 'auth-user', 'auth-password']) $(id).addEventListener('input', () => this.showUrl());
    this.showUrl();
  }

  renderParams() {
    const container = $(`${this.kind}-params`);
    for (const param of this.spec.params) {
      const id = `${this.kind}-${param.name}`;
      const label = element('label', param.required ? `${param.name} (required)` : param.name);
      label.htmlFor = id;
      let input;
      if (param.choices) {
        input = element('select');
        input.append(new Option('(default)', ''));
        for (const choice of param.choices) input.append(new Option(choice, choice));
      } else {
        input = element('input');
        input.type = param.number ? 'number' : 'text';
        if (param.number) input.min = '0';
        input.spellcheck = false;
        input.value = param.value ?? '';
        input.required = !!param.required;
      }
      input.id = id;
      input.name = param.name;
      container.append(label, input);
    }
  }

  query() {
    const query = new URLSearchParams();
    for (const param of this.spec.params) {
      const value = $(`${this.kind}-${param.name}`).value.trim();
      if (value !== '') query.set(param.name, value);
    }
    return query;
  }

  param(name) {
    return this.query().get(name);
  }

  url(withSecrets) {
    const query = this.query();
    const token = $('auth-token').value.trim();
    if (token) query.set('access_token', withSecrets ? token : '***');
    if (withSecrets && this.refusalId) query.set('refusalId', this.refusalId);
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const user = $('auth-user').value;
    const userinfo = user
      ? `${encodeURIComponent(user)}:${withSecrets ? encodeURIComponent($('auth-password').value) : '***'}@`
      : '';
    return `${scheme}//${userinfo}${location.host}${this.spec.path}?${query}`;
  }

  showUrl() {
    $(`${this.kind}-url`).textContent = this.url(false);
  }

  setStatus(text) {
    $(`${this.kind}-status`).textContent = text;
    logEvent(`${this.spec.path}: ${text}`);
  }

  setOpen(open) {
    $(`${this.kind}-connect`).disabled = open;
    $(`${this.kind}-disconnect`).disabled = !open;
    this.onStateChange(open);
  }

  connect() {
    if (this.socket) return;
    this.refusalId = randomId();
    let socket;
    try {
      socket = new WebSocket(this.url(true));
    } catch (e) {
      this.setStatus(`Cannot open: ${e.message}`);
      return;
    }
    this.socket = socket;
    this.opened = false;
    $(`${this.kind}-connect`).disabled = true;
    this.setStatus('Connecting...');
    socket.addEventListener('open', () => {
      this.opened = true;
      this.setOpen(true);
      this.setStatus('Open.');
    });
    socket.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        logEvent(`${this.spec.path}: a frame that is not JSON: ${String(event.data).slice(0, 200)}`);
        return;
      }
      this.onFrame(frame, event.data);
    });
    socket.addEventListener('close', (event) => this.closed(socket, event));
  }

  async closed(socket, event) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.setOpen(false);
    if (!this.opened) {
      await this.showRefusal(event.code);
      return;
    }
    const name = CLOSE_NAMES[event.code] ? ` (${CLOSE_NAMES[event.code]})` : '';
    const reason = event.reason ? `Reason: ${event.reason}` : 'No reason given.';
    this.setStatus(`Closed: code ${event.code}${name}. ${reason}`);
  }

  // A refused handshake reaches scripts only as close code 1006; the edge keeps
  // the refusal under the random refusalId this page put in the URL.
  async showRefusal(code) {
    try {
      const response = await fetch(`console/refusals/${this.refusalId}`, { cache: 'no-store' });
      if (response.ok) {
        const refusal = await response.json();
        this.setStatus(`Refused: HTTP ${refusal.status}: ${refusal.message}`);
        return;
      }
    } catch {
      // The edge is not reachable at all: said below.
    }
    this.setStatus(`Refused before opening (close code ${code}); the edge kept no reason: it may be unreachable, or behind a proxy that answered.`);
  }

  send(text) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      this.setStatus('Not connected: connect first.');
      return false;
    }
    this.socket.send(text);
    return true;
  }

  disconnect() {
    if (this.socket) this.socket.close(1000, 'Closed from the console.');
  }
}

// ------------------------------------------------------------------ produce

const produce = { sent: 0, acked: 0, errors: 0, rows: [], nextId: 1 };

function showProduceCount() {
  $('acks-count').textContent = `Sent ${produce.sent}, acknowledged ${produce.acked}, errors ${produce.errors}.`;
}

// A typed value as JSON text: numbers stay exactly as typed (a long may exceed
// JavaScript's precision); text that is not the format's kind is sent as a JSON
// string, so the edge's own error frame explains what is wrong with it.
function typedValue(text, format) {
  if (format === 'json') {
    JSON.parse(text); // throws with the browser's message when it is not JSON
    return `{"value":${text},"format":"json"}`;
  }
  const isNumber = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim());
  const value = format !== 'string' && isNumber ? text.trim() : JSON.stringify(text);
  return `{"value":${value},"format":"${format}"}`;
}

function recordFrame() {
  const parts = [];
  const headers = $('record-headers').value.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const colon = line.indexOf(':');
    return colon < 0 ? { key: line.trim(), value: '' } : { key: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
  });
  if (headers.length) parts.push(`"headers":${JSON.stringify(headers)}`);
  const key = $('record-key').value;
  if (key !== '') parts.push(`"key":${typedValue(key, $('record-keyFormat').value)}`);
  parts.push(`"value":${typedValue($('record-value').value, $('record-valueFormat').value)}`);
  const messageId = $('record-messageId').value.trim() || `console-${produce.nextId++}`;
  parts.push(`"messageId":${JSON.stringify(messageId)}`);
  return { text: `{${parts.join(',')}}`, messageId };
}

function addSentRow(messageId, text) {
  produce.sent++;
  const row = element('tr');
  row.append(element('td', String(produce.sent)), element('td', messageId), element('td', 'pending', 'pending'),
    element('td'), element('td'), element('td'), element('td', text, 'frame'));
  $('acks-body').append(row);
  produce.rows.push(row);
  while ($('acks-body').childElementCount > MAX_ROWS) $('acks-body').firstElementChild.remove();
  showProduceCount();
}

// One answer per record, in the order the records were sent (docs/protocol.md §4).
function onProduceFrame(frame, text) {
  const row = produce.rows.shift();
  if (!row) {
    logEvent(`/socket/in: a frame for no record sent: ${text}`);
    return;
  }
  const cells = row.children;
  if (frame.error) {
    produce.errors++;
    cells[2].textContent = `error ${frame.error.code}: ${frame.error.message}`;
    cells[2].className = 'error';
  } else {
    produce.acked++;
    cells[2].textContent = 'acknowledged';
    cells[2].className = 'ok';
    cells[3].textContent = frame.partition;
    cells[4].textContent = frame.offset;
    cells[5].textContent = new Date(frame.timestamp).toISOString();
  }
  showProduceCount();
}

// ------------------------------------------------------------------ consume

const consume = { records: 0, frames: 0, rowsById: new Map() };

function showConsumeCount() {
  $('records-count').textContent = `Records ${consume.records} in ${consume.frames} frames.`;
}

function describeTyped(typed) {
  if (!typed) return '';
  const value = typeof typed.value === 'string' ? typed.value : JSON.stringify(typed.value);
  return `${value} (${typed.format})`;
}

function addRecordRow(record, frameNumber) {
  consume.records++;
  const row = element('tr');
  row.dataset.id = record.wsProxyMessageId;
  const headers = (record.headers || []).map((h) => `${h.key}: ${h.value}`).join('\n');
  const value = describeTyped(record.value) + (record.error ? ` [${record.error.code}: ${record.error.message}]` : '');
  row.append(element('td', String(consume.records)), element('td', String(frameNumber)),
    element('td', String(record.partition)), element('td', String(record.offset)),
    element('td', new Date(record.timestamp).toISOString()), element('td', describeTyped(record.key)),
    element('td', value), element('td', headers));
  const commitCell = element('td');
  const button = element('button', 'Commit');
  button.type = 'button';
  button.setAttribute('aria-label', `Commit ${record.wsProxyMessageId}`);
  button.addEventListener('click', () => commit(record.wsProxyMessageId, commitCell));
  commitCell.append(button);
  row.append(commitCell);
  $('records-body').append(row);
  consume.rowsById.set(record.wsProxyMessageId, commitCell);
  while ($('records-body').childElementCount > MAX_ROWS) {
    consume.rowsById.delete($('records-body').firstElementChild.dataset.id);
    $('records-body').firstElementChild.remove();
  }
}

function commit(id, cell) {
  if (consumer.send(JSON.stringify({ wsProxyMessageId: id }))) {
    cell.textContent = 'commit sent';
    cell.className = 'ok';
    logEvent(`/socket/out: commit sent for ${id}`);
  }
}

function onConsumeFrame(frame, text) {
  if (!Array.isArray(frame) && frame.error && frame.partition === undefined) {
    // An error frame (a refused commit, or a frame the edge could not read).
    const cell = frame.wsProxyMessageId && consume.rowsById.get(frame.wsProxyMessageId);
    if (cell) {
      cell.textContent = `error ${frame.error.code}: ${frame.error.message}`;
      cell.className = 'error';
    }
    logEvent(`/socket/out: error frame: ${text}`);
    return;
  }
  consume.frames++;
  for (const record of Array.isArray(frame) ? frame : [frame]) addRecordRow(record, consume.frames);
  showConsumeCount();
}

function clearRecords() {
  consume.records = 0;
  consume.frames = 0;
  consume.rowsById.clear();
  $('records-body').replaceChildren();
  showConsumeCount();
}

// ------------------------------------------------------------------ wiring

function fillFormats(select) {
  for (const format of FORMATS) select.append(new Option(format, format));
}

fillFormats($('record-keyFormat'));
fillFormats($('record-valueFormat'));

const producer = new SocketPanel('in', onProduceFrame, (open) => {
  $('record-send').disabled = !open;
  $('raw-send').disabled = !open;
  if (open) return;
  // Records that were never answered: the socket closed first.
  for (const row of produce.rows) {
    row.children[2].textContent = 'no answer: the socket closed';
    row.children[2].className = 'error';
  }
  produce.rows = [];
});
const consumer = new SocketPanel('out', onConsumeFrame, (open) => {
  if (open) clearRecords();
});

$('record-form').addEventListener('submit', (e) => {
  e.preventDefault();
  let frame;
  try {
    frame = recordFrame();
  } catch (error) {
    producer.setStatus(`Not sent: the json value is not JSON (${error.message}).`);
    return;
  }
  if (producer.send(frame.text)) addSentRow(frame.messageId, frame.text);
});

$('raw-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('raw-frame').value;
  let messageId = '';
  try {
    messageId = JSON.parse(text).messageId ?? '';
  } catch {
    // Sent anyway: the edge answers with an error frame.
  }
  if (producer.send(text)) addSentRow(String(messageId), text);
});

$('out-clear').addEventListener('click', clearRecords);

// A record's formats must match the socket's keyType/valType: follow them when they are chosen.
for (const [param, select] of [['keyType', 'record-keyFormat'], ['valType', 'record-valueFormat']]) {
  $(`in-${param}`).addEventListener('change', (e) => {
    if (e.target.value) $(select).value = e.target.value;
  });
}
