// node-smpp's client (an independent ESME) against our SMSC simulator, for the interop tests.
//
// Usage: node node-esme.js PORT SYSTEM_ID PASSWORD < messages.json
// messages.json: [{"ref": 1, "to": "34600000001", "text": "...", "data_coding": 0 | 8,
//                  "concat": "udh8" | "udh16" | null}]
//
// Binds as transceiver, submits every message (node-smpp does not split texts: the long ones
// are split here, a UDH before each part, never inside an escape or a surrogate pair), answers
// every deliver_sm, and once a receipt has come for every part it unbinds. It prints one JSON
// object per line for everything it receives, as node-smpp decoded it.
//
// With SMPP_TLS_CA set (a PEM file of the CA to trust), it connects with TLS (ssmpp://) and
// checks the server's certificate against that CA and the name 127.0.0.1.
'use strict';
const fs = require('fs');
const smpp = require('smpp');

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const [port, systemId, password] = process.argv.slice(2);

// GSM 03.38 characters that take two septets (an escape, then the character).
const EXTENSION = new Set(['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€']);

// Splits `text` into parts of at most `limit` units (septets, or UTF-16 code units).
function split(text, dataCoding, limit) {
  const parts = [];
  let part = '';
  let used = 0;
  for (const ch of text) { // by code point: a surrogate pair stays whole
    const cost = dataCoding === 8 ? (ch.codePointAt(0) > 0xffff ? 2 : 1) : (EXTENSION.has(ch) ? 2 : 1);
    if (used + cost > limit) {
      parts.push(part);
      part = '';
      used = 0;
    }
    part += ch;
    used += cost;
  }
  parts.push(part);
  return parts;
}

function submissions(msg) {
  if (!msg.concat) {
    return [{ short_message: msg.text, part: 1, total: 1 }];
  }
  const wide = msg.concat === 'udh16';
  const limit = msg.data_coding === 8 ? (wide ? 66 : 67) : (wide ? 152 : 153);
  const texts = split(msg.text, msg.data_coding, limit);
  return texts.map((t, i) => {
    const udh = wide
      ? Buffer.from([6, 0x08, 4, (msg.ref >> 8) & 0xff, msg.ref & 0xff, texts.length, i + 1])
      : Buffer.from([5, 0x00, 3, msg.ref & 0xff, texts.length, i + 1]);
    return { short_message: { udh, message: t }, part: i + 1, total: texts.length };
  });
}

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => run(JSON.parse(input)));

function run(messages) {
  const ca = process.env.SMPP_TLS_CA;
  const session = ca
    ? smpp.connect({ url: `ssmpp://127.0.0.1:${port}`, ca: fs.readFileSync(ca), rejectUnauthorized: true })
    : smpp.connect({ url: `smpp://127.0.0.1:${port}` });
  let expected = 0;
  let receipts = 0;
  let unbinding = false;
  const unbind = () => {
    if (unbinding) return;
    unbinding = true;
    session.unbind({}, (pdu) => {
      out({ event: 'unbind_resp', status: pdu.command_status });
      session.close();
    });
  };
  session.on(ca ? 'secureConnect' : 'connect', () => {
    if (ca) out({ event: 'secure', authorized: session.socket.authorized, protocol: session.socket.getProtocol() });
    session.bind_transceiver({ system_id: systemId, password }, (pdu) => {
      out({ event: 'bind_resp', status: pdu.command_status, system_id: pdu.system_id });
      if (pdu.command_status !== 0) {
        session.close();
        return;
      }
      for (const msg of messages) {
        for (const s of submissions(msg)) {
          expected += 1;
          session.submit_sm({
            source_addr_ton: 5, source_addr_npi: 0, source_addr: 'NodeESME',
            dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: msg.to,
            registered_delivery: 1, data_coding: msg.data_coding, short_message: s.short_message,
          }, (resp) => {
            out({ event: 'submit_sm_resp', ref: msg.ref, part: s.part, total: s.total,
                  status: resp.command_status, message_id: resp.message_id });
          });
        }
      }
    });
  });
  session.on('deliver_sm', (pdu) => {
    out({ event: 'deliver_sm', esm_class: pdu.esm_class, service_type: pdu.service_type,
          source_addr: pdu.source_addr, source_addr_ton: pdu.source_addr_ton,
          destination_addr: pdu.destination_addr, data_coding: pdu.data_coding,
          text: pdu.short_message && pdu.short_message.message,
          receipted_message_id: pdu.receipted_message_id, message_state: pdu.message_state });
    session.send(pdu.response());
    receipts += 1;
    if (receipts === expected) unbind();
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('close', () => { out({ event: 'closed' }); process.exit(0); });
  session.on('error', (e) => { out({ event: 'error', message: String(e) }); process.exit(1); });
}

// Never outlive the test that started us.
setTimeout(() => { out({ event: 'timeout' }); process.exit(2); }, 20000).unref();
