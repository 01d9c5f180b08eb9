#include "harness.h"

int harness_failures;

int bytes_eq(smpp_bytes b, const char *s) {
    size_t n = strlen(s);
    if (b.len != n) {
        return 0;
    }
    return n == 0 || (b.ptr != NULL && memcmp(b.ptr, s, n) == 0);
}

static void peer_init(peer *pe, int esme, const smpp_config *config, uint64_t now, size_t tx_len) {
    smpp_buffers b = {
        .rx = pe->rx, .rx_len = sizeof pe->rx,
        .tx = pe->tx, .tx_len = tx_len ? tx_len : sizeof pe->tx,
        .part_store = pe->store, .part_store_len = sizeof pe->store,
    };
    if (esme) {
        CHECK_OK(smpp_esme_init(&pe->session, config, &b, now));
    } else {
        CHECK_OK(smpp_smsc_init(&pe->session, config, &b, now));
    }
}

void pair_init(pair *p, const smpp_config *esme, const smpp_config *smsc) {
    peer_init(&p->esme, 1, esme, p->now, p->esme_tx_len);
    peer_init(&p->smsc, 0, smsc, p->now, 0);
}

void pair_deinit(pair *p) {
    CHECK_OK(smpp_session_deinit(&p->esme.session));
    CHECK_OK(smpp_session_deinit(&p->smsc.session));
}

size_t pump(pair *p, smpp_session *from, smpp_session *to) {
    size_t moved = 0;
    for (;;) {
        if (p->copying) {
            uint8_t chunk[97]; /* an odd size, so frames arrive split */
            int32_t n = smpp_poll_transmit(from, chunk, sizeof chunk);
            CHECK(n >= 0);
            if (n <= 0) {
                return moved;
            }
            int32_t took = smpp_handle_input(to, p->now, chunk, (size_t)n);
            CHECK(took == n); /* the tests drain events before the buffer fills */
            moved += (size_t)n;
            continue;
        }
        const uint8_t *data = NULL;
        size_t len = 0;
        CHECK_OK(smpp_transmit(from, &data, &len));
        if (len == 0) {
            return moved;
        }
        uint8_t *room = NULL;
        size_t room_len = 0;
        CHECK_OK(smpp_receive_buffer(to, &room, &room_len));
        if (room_len == 0) {
            return moved;
        }
        size_t n = len < room_len ? len : room_len;
        memcpy(room, data, n);
        CHECK_OK(smpp_commit(to, p->now, n));
        CHECK_OK(smpp_transmitted(from, n));
        moved += n;
    }
}

static const char *kind_name(uint32_t kind) {
    switch (kind) {
    case SMPP_EVENT_NONE: return "none";
    case SMPP_EVENT_BOUND: return "bound";
    case SMPP_EVENT_BIND_FAILED: return "bind failed";
    case SMPP_EVENT_OUTCOME: return "outcome";
    case SMPP_EVENT_MESSAGE_DONE: return "message done";
    case SMPP_EVENT_MESSAGE: return "message";
    case SMPP_EVENT_RECEIPT: return "receipt";
    case SMPP_EVENT_DATA_SM: return "data_sm";
    case SMPP_EVENT_ALERT: return "alert";
    case SMPP_EVENT_OUTBIND: return "outbind";
    case SMPP_EVENT_BIND_REQUEST: return "bind request";
    case SMPP_EVENT_REQUEST: return "request";
    case SMPP_EVENT_THROTTLED: return "throttled";
    case SMPP_EVENT_CLOSED: return "closed";
    default: return "other";
    }
}

int expect_event(smpp_session *s, smpp_event *ev, uint32_t kind, const char *what) {
    int32_t rc = smpp_poll_event(s, ev);
    if (rc != 1 || ev->kind != kind) {
        printf("  expected a %s event (%s), got rc %ld kind %s (reason %lu)\n", kind_name(kind), what,
               (long)rc, rc == 1 ? kind_name(ev->kind) : "-", (unsigned long)ev->reason);
        harness_failures++;
        return 0;
    }
    return 1;
}

int drain_events(smpp_session *s) {
    smpp_event ev;
    int n = 0;
    int32_t rc;
    while ((rc = smpp_poll_event(s, &ev)) == 1) {
        n++;
    }
    CHECK(rc == 0);
    return n;
}

void bind_pair(pair *p) {
    smpp_bind_params bp = {.system_id = "panel", .password = "secret"};
    smpp_event ev;
    CHECK_OK(smpp_bind(&p->esme.session, p->now, SMPP_BIND_TRANSCEIVER, &bp));
    pump(p, &p->esme.session, &p->smsc.session);
    if (expect_event(&p->smsc.session, &ev, SMPP_EVENT_BIND_REQUEST, "bind")) {
        CHECK(ev.token != 0);
        CHECK_OK(smpp_accept_bind(&p->smsc.session, p->now, ev.token, "SMSC"));
    }
    CHECK(drain_events(&p->smsc.session) == 0);
    pump(p, &p->smsc.session, &p->esme.session);
    if (expect_event(&p->esme.session, &ev, SMPP_EVENT_BOUND, "bind_resp")) {
        CHECK(ev.bind_kind == SMPP_BIND_TRANSCEIVER);
    }
    CHECK(drain_events(&p->esme.session) == 0);
}
