// An independent SMSC for the interop tests: node-smpp's server. It prints one JSON object per
// line for everything it receives, so the Rust test can check what node-smpp decoded.
'use strict';
const smpp = require('smpp');

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
let submits = 0;

const server = smpp.createServer({ debug: false }, (session) => {
  session.on('bind_transceiver', (pdu) => {
    out({ event: 'bind_transceiver', system_id: pdu.system_id, password: pdu.password,
          interface_version: pdu.interface_version, seq: pdu.sequence_number });
    session.send(pdu.response({ system_id: 'node-smsc' }));
    // Probe the client's keepalive handling from our side too.
    setTimeout(() => {
      session.enquire_link({}, (resp) => out({ event: 'enquire_link_resp', status: resp.command_status }));
    }, 100);
  });
  session.on('submit_sm', (pdu) => {
    submits += 1;
    out({ event: 'submit_sm', seq: pdu.sequence_number, service_type: pdu.service_type,
          source_addr_ton: pdu.source_addr_ton, source_addr: pdu.source_addr,
          dest_addr_ton: pdu.dest_addr_ton, destination_addr: pdu.destination_addr,
          esm_class: pdu.esm_class, registered_delivery: pdu.registered_delivery,
          data_coding: pdu.data_coding, message: pdu.short_message.message });
    session.send(pdu.response({ message_id: 'node-' + submits }));
    if (submits === 2) {
      session.deliver_sm({ source_addr: '447700900999', destination_addr: 'Test',
                           short_message: 'Reply from node' },
        (resp) => out({ event: 'deliver_sm_resp', status: resp.command_status }));
    }
  });
  session.on('enquire_link', (pdu) => {
    out({ event: 'enquire_link', seq: pdu.sequence_number });
    session.send(pdu.response());
  });
  session.on('unbind', (pdu) => {
    out({ event: 'unbind', seq: pdu.sequence_number });
    session.send(pdu.response());
    session.close();
  });
  session.on('error', (e) => out({ event: 'error', message: String(e) }));
});

server.listen(0, '127.0.0.1', () => out({ event: 'listening', port: server.address().port }));
// Never outlive the test that started us.
setTimeout(() => process.exit(0), 30000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
