// node-smpp's server as the SMSC for the smpp-std client: every bind type, submit_sm answered
// with an id, and a delivery receipt (esm_class 4, text and TLVs) for each submission that asks
// for one, sent to a receiver or transceiver bind. One JSON object per line for everything it
// receives, so the Rust test can check what node-smpp decoded.
//
// With SMPP_TLS_CERT and SMPP_TLS_KEY (PEM files) set, it listens with TLS instead (node-smpp's
// secure server, Node's own TLS stack).
'use strict';
const fs = require('fs');
const smpp = require('smpp');

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
let ids = 0;
const receivers = [];
const due = [];

function flushReceipts() {
  const to = receivers.find((s) => !s.closed);
  if (!to) return;
  while (due.length) {
    const r = due.shift();
    to.deliver_sm({
      source_addr: r.dest, destination_addr: r.source, esm_class: 4,
      short_message: `id:${r.id} sub:001 dlvrd:001 submit date:2512021200 done date:2512021201 stat:DELIVRD err:000`,
      receipted_message_id: r.id, message_state: 2,
    }, (resp) => out({ event: 'deliver_sm_resp', id: r.id, status: resp.command_status }));
  }
}

const options = { debug: false };
if (process.env.SMPP_TLS_CERT && process.env.SMPP_TLS_KEY) {
  options.cert = fs.readFileSync(process.env.SMPP_TLS_CERT);
  options.key = fs.readFileSync(process.env.SMPP_TLS_KEY);
}
const server = smpp.createServer(options, (session) => {
  for (const kind of ['bind_transmitter', 'bind_receiver', 'bind_transceiver']) {
    session.on(kind, (pdu) => {
      out({ event: kind, system_id: pdu.system_id, password: pdu.password, seq: pdu.sequence_number });
      session.send(pdu.response({ system_id: 'node-smsc' }));
      if (kind !== 'bind_transmitter') {
        receivers.push(session);
        setTimeout(flushReceipts, 10);
      }
      setTimeout(() => {
        session.enquire_link({}, (resp) => out({ event: 'enquire_link_resp', bind: kind, status: resp.command_status }));
      }, 50);
    });
  }
  session.on('submit_sm', (pdu) => {
    ids += 1;
    const id = 'n' + String(ids).padStart(4, '0');
    const msg = pdu.short_message;
    out({ event: 'submit_sm', id, data_coding: pdu.data_coding, esm_class: pdu.esm_class,
          registered_delivery: pdu.registered_delivery, source_addr: pdu.source_addr,
          source_addr_ton: pdu.source_addr_ton, destination_addr: pdu.destination_addr,
          dest_addr_ton: pdu.dest_addr_ton,
          udh: msg.udh ? msg.udh.map((b) => Buffer.from(b).toString('hex')) : null,
          message: Buffer.isBuffer(msg.message) ? { hex: msg.message.toString('hex') } : msg.message });
    session.send(pdu.response({ message_id: id }));
    if (pdu.registered_delivery & 1) {
      due.push({ id, source: pdu.source_addr, dest: pdu.destination_addr });
      setTimeout(flushReceipts, 10);
    }
  });
  session.on('enquire_link', (pdu) => {
    out({ event: 'enquire_link', seq: pdu.sequence_number });
    session.send(pdu.response());
  });
  session.on('unbind', (pdu) => {
    out({ event: 'unbind', seq: pdu.sequence_number });
    session.send(pdu.response());
    session.closed = true;
    session.close();
  });
  session.on('close', () => { session.closed = true; });
  session.on('error', (e) => out({ event: 'error', message: String(e) }));
});

server.listen(0, '127.0.0.1', () => out({ event: 'listening', port: server.address().port, tls: !!options.cert }));
setTimeout(() => process.exit(0), 30000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
