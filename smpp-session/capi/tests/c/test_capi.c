/*
 * The C API driven from C: an ESME and an SMSC session paired in memory on a virtual clock.
 * Built for the host (gcc and clang, ASan + UBSan) and for a Cortex-M4 under QEMU; main
 * returns non-zero when a check fails, and prints "N passed, N failed".
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "smpp.h"

static pair P;

static void fresh(int copying) {
    memset(&P, 0, sizeof P);
    P.now = 1000;
    P.copying = copying;
}

#define ESME (&P.esme.session)
#define SMSC (&P.smsc.session)

static smpp_sm template_to(const char *dest) {
    smpp_sm sm;
    memset(&sm, 0, sizeof sm);
    sm.source_addr = "Alarm";
    sm.source_ton = SMPP_TON_ALPHANUMERIC;
    sm.dest_addr = dest;
    sm.dest_ton = SMPP_TON_INTERNATIONAL;
    sm.dest_npi = SMPP_NPI_ISDN;
    sm.registered_delivery = SMPP_REGISTERED_DELIVERY_RECEIPT;
    return sm;
}

/* Brings the SMSC's answers to the ESME and takes the ESME's events; returns how many. */
static int settle(void) {
    pump(&P, SMSC, ESME);
    return drain_events(ESME);
}

/* UTF-8 to UTF-16BE octets; returns how many octets. */
static size_t utf16be(const char *s, uint8_t *out, size_t cap) {
    const uint8_t *u = (const uint8_t *)s;
    size_t n = 0;
    while (*u) {
        uint32_t c;
        if (*u < 0x80) {
            c = *u++;
        } else if ((*u & 0xE0) == 0xC0) {
            c = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
            u += 2;
        } else if ((*u & 0xF0) == 0xE0) {
            c = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
            u += 3;
        } else {
            c = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
                ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
            u += 4;
        }
        uint16_t units[2];
        int k = 0;
        if (c >= 0x10000) {
            c -= 0x10000;
            units[k++] = (uint16_t)(0xD800 | (c >> 10));
            units[k++] = (uint16_t)(0xDC00 | (c & 0x3FF));
        } else {
            units[k++] = (uint16_t)c;
        }
        for (int i = 0; i < k && n + 2 <= cap; i++) {
            out[n++] = (uint8_t)(units[i] >> 8);
            out[n++] = (uint8_t)(units[i] & 0xFF);
        }
    }
    return n;
}

/* ---- the library and its storage ------------------------------------------------------- */

static void test_versions_and_sizes(void) {
    CHECK(smpp_abi_version() == SMPP_ABI_VERSION);
    CHECK(smpp_window() == SMPP_WINDOW);
    CHECK(smpp_session_size() <= sizeof(smpp_session));
    CHECK(smpp_session_size() + 64 >= sizeof(smpp_session)); /* the header is not wasteful */
    CHECK(smpp_session_align() <= alignof(smpp_session));
    CHECK(smpp_min_receive_buffer() <= sizeof P.esme.rx);
    CHECK(smpp_min_transmit_buffer() <= sizeof P.esme.tx);
    CHECK(strcmp(smpp_version(), "0.1.0") == 0);
    printf("  session: %lu octets (sizeof smpp_session %lu), align %lu; buffers at least rx %lu, tx %lu\n",
           (unsigned long)smpp_session_size(), (unsigned long)sizeof(smpp_session),
           (unsigned long)smpp_session_align(), (unsigned long)smpp_min_receive_buffer(),
           (unsigned long)smpp_min_transmit_buffer());
}

static void test_init_checks_its_arguments(void) {
    static union {
        smpp_session s;
        uint8_t octets[sizeof(smpp_session) + 16];
    } storage;
    static uint8_t rx[512], tx[1024];
    smpp_buffers b = {.rx = rx, .rx_len = sizeof rx, .tx = tx, .tx_len = sizeof tx};
    smpp_session *s = &storage.s;
    smpp_config c;
    memset(&storage, 0, sizeof storage);

    CHECK_RC(smpp_esme_init(NULL, NULL, &b, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_esme_init(s, NULL, NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_esme_init_(s, smpp_session_size() - 1, SMPP_ABI_VERSION, NULL, &b, 0),
             SMPP_ERR_STORAGE_TOO_SMALL);
    CHECK_RC(smpp_esme_init_(s, sizeof storage, SMPP_ABI_VERSION + 0x10000, NULL, &b, 0),
             SMPP_ERR_VERSION_MISMATCH);
    CHECK_RC(smpp_smsc_init_(s, sizeof storage, SMPP_ABI_VERSION + 1, NULL, &b, 0),
             SMPP_ERR_VERSION_MISMATCH); /* a newer minor than the library's */
    smpp_session *odd = (smpp_session *)((uintptr_t)&storage + 4);
    CHECK_RC(smpp_esme_init_(odd, sizeof storage - 4, SMPP_ABI_VERSION, NULL, &b, 0),
             SMPP_ERR_STORAGE_MISALIGNED);

    smpp_buffers bad = b;
    bad.rx = NULL;
    CHECK_RC(smpp_esme_init(s, NULL, &bad, 0), SMPP_ERR_NULL_POINTER);
    bad = b;
    bad.rx_len = smpp_min_receive_buffer() - 1;
    CHECK_RC(smpp_esme_init(s, NULL, &bad, 0), SMPP_ERR_RECEIVE_BUFFER_TOO_SMALL);
    bad = b;
    bad.tx_len = smpp_min_transmit_buffer() - 1;
    CHECK_RC(smpp_esme_init(s, NULL, &bad, 0), SMPP_ERR_TRANSMIT_BUFFER_TOO_SMALL);
    bad = b;
    bad.tx = rx + 100; /* overlaps the receive buffer */
    bad.tx_len = 300;
    CHECK_RC(smpp_esme_init(s, NULL, &bad, 0), SMPP_ERR_BAD_ARGUMENT);
    bad = b;
    bad.part_store = storage.octets + 8; /* inside the session storage */
    bad.part_store_len = 64;
    CHECK_RC(smpp_esme_init(s, NULL, &bad, 0), SMPP_ERR_BAD_ARGUMENT);

    CHECK_OK(smpp_config_default(&c));
    c.keepalive = 9;
    CHECK_RC(smpp_esme_init(s, &c, &b, 0), SMPP_ERR_BAD_ARGUMENT);
    CHECK_OK(smpp_config_default(&c));
    c.window = SMPP_WINDOW + 1;
    CHECK_RC(smpp_esme_init(s, &c, &b, 0), SMPP_ERR_BAD_ARGUMENT);
    CHECK_OK(smpp_config_default(&c));
    c.ack_mode = 2;
    CHECK_RC(smpp_esme_init(s, &c, &b, 0), SMPP_ERR_BAD_ARGUMENT);

    /* Nothing above touched the storage: it still holds no session. */
    CHECK_RC(smpp_handle_timeout(s, 0), SMPP_ERR_NOT_INITIALIZED);
    CHECK_RC(smpp_session_deinit(s), SMPP_ERR_NOT_INITIALIZED);

    /* Dynamic storage of exactly smpp_session_size() octets works too. */
    CHECK_OK(smpp_esme_init_(s, smpp_session_size(), SMPP_ABI_VERSION, NULL, &b, 0));
    CHECK_RC(smpp_state(s, NULL), (int32_t)SMPP_STATE_OPEN);
    /* Init again over a live session replaces it. */
    CHECK_OK(smpp_smsc_init(s, NULL, &b, 5));
    CHECK_OK(smpp_session_deinit(s));
    CHECK_RC(smpp_session_deinit(s), SMPP_ERR_NOT_INITIALIZED);
    CHECK_RC(smpp_state(s, NULL), SMPP_ERR_NOT_INITIALIZED);
    /* The buffers are the caller's again. */
    memset(rx, 0xA5, sizeof rx);
}

static void test_error_texts(void) {
    const int32_t codes[] = {
        SMPP_OK, SMPP_ERR_NULL_POINTER, SMPP_ERR_BAD_ARGUMENT, SMPP_ERR_STORAGE_TOO_SMALL,
        SMPP_ERR_STORAGE_MISALIGNED, SMPP_ERR_VERSION_MISMATCH, SMPP_ERR_NOT_INITIALIZED,
        SMPP_ERR_PANIC, SMPP_ERR_RECEIVE_BUFFER_TOO_SMALL, SMPP_ERR_TRANSMIT_BUFFER_TOO_SMALL,
        SMPP_ERR_INVALID_WINDOW, SMPP_ERR_WINDOW_FULL, SMPP_ERR_PAUSED, SMPP_ERR_TRANSMIT_BUFFER_FULL,
        SMPP_ERR_INVALID_STATE, SMPP_ERR_ENCODE, SMPP_ERR_NOT_A_REQUEST, SMPP_ERR_UNKNOWN_TOKEN,
        SMPP_ERR_WRONG_RESPONSE, SMPP_ERR_TEXT_UNREPRESENTABLE, SMPP_ERR_TEXT_TOO_LONG,
        SMPP_ERR_SCRATCH_TOO_SMALL, SMPP_ERR_TOO_LARGE,
    };
    const char *unknown = smpp_error_text(12345);
    CHECK(unknown != NULL && strcmp(unknown, "unknown error code") == 0);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *t = smpp_error_text(codes[i]);
        CHECK(t != NULL && strlen(t) > 5 && t != unknown);
        CHECK(smpp_error_is_busy(codes[i]) ==
              (codes[i] == SMPP_ERR_WINDOW_FULL || codes[i] == SMPP_ERR_PAUSED ||
               codes[i] == SMPP_ERR_TRANSMIT_BUFFER_FULL));
    }
}

/* ---- binding ------------------------------------------------------------------------------- */

static void test_bind(int copying) {
    smpp_event ev;
    smpp_bind_params bp = {.system_id = "panel", .password = "secret", .system_type = "alarm"};
    uint32_t kind = 99;
    fresh(copying);
    pair_init(&P, NULL, NULL);
    CHECK_RC(smpp_state(ESME, &kind), (int32_t)SMPP_STATE_OPEN);
    CHECK(kind == SMPP_BIND_NONE);
    CHECK_OK(smpp_bind(ESME, P.now, SMPP_BIND_TRANSCEIVER, &bp));
    CHECK_RC(smpp_bind(ESME, P.now, SMPP_BIND_TRANSCEIVER, &bp), SMPP_ERR_INVALID_STATE);
    CHECK_RC(smpp_state(ESME, &kind), (int32_t)SMPP_STATE_BINDING);
    CHECK(kind == SMPP_BIND_TRANSCEIVER);
    CHECK(pump(&P, ESME, SMSC) > 16);
    if (expect_event(SMSC, &ev, SMPP_EVENT_BIND_REQUEST, "bind")) {
        CHECK(ev.bind_kind == SMPP_BIND_TRANSCEIVER);
        CHECK(bytes_eq(ev.system_id, "panel"));
        CHECK(bytes_eq(ev.password, "secret"));
        CHECK((ev.flags & SMPP_EVENT_HAS_INTERFACE_VERSION) && ev.interface_version == 0x34);
        CHECK(ev.token != 0);
        CHECK(ev.sequence_number != 0);
        CHECK_RC(smpp_accept_bind(SMSC, P.now, ev.token + 1000, "SMSC"), SMPP_ERR_UNKNOWN_TOKEN);
        CHECK_OK(smpp_accept_bind(SMSC, P.now, ev.token, "SMSC"));
        CHECK_RC(smpp_accept_bind(SMSC, P.now, ev.token, "SMSC"), SMPP_ERR_UNKNOWN_TOKEN);
    }
    CHECK(drain_events(SMSC) == 0);
    CHECK_RC(smpp_state(SMSC, &kind), (int32_t)SMPP_STATE_BOUND);
    pump(&P, SMSC, ESME);
    if (expect_event(ESME, &ev, SMPP_EVENT_BOUND, "bind_resp")) {
        CHECK(ev.bind_kind == SMPP_BIND_TRANSCEIVER);
        CHECK(bytes_eq(ev.system_id, "SMSC"));
        CHECK((ev.flags & SMPP_EVENT_HAS_INTERFACE_VERSION) && ev.interface_version == 0x34);
        CHECK(ev.token == 0);
    }
    CHECK(drain_events(ESME) == 0);
    CHECK_RC(smpp_state(ESME, &kind), (int32_t)SMPP_STATE_BOUND);
    CHECK(kind == SMPP_BIND_TRANSCEIVER);
    pair_deinit(&P);
}

static void test_bind_zero_copy(void) { test_bind(0); }
static void test_bind_copying(void) { test_bind(1); }

static void test_rejected_bind(void) {
    smpp_event ev;
    smpp_bind_params bp = {.system_id = "panel", .password = "wrong"};
    fresh(0);
    pair_init(&P, NULL, NULL);
    CHECK_OK(smpp_bind(ESME, P.now, SMPP_BIND_TRANSMITTER, &bp));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_BIND_REQUEST, "bind")) {
        CHECK(ev.bind_kind == SMPP_BIND_TRANSMITTER);
        CHECK_OK(smpp_reject_bind(SMSC, P.now, ev.token, SMPP_STATUS_INVALID_PASSWORD));
    }
    if (expect_event(SMSC, &ev, SMPP_EVENT_CLOSED, "after the rejection")) {
        CHECK(ev.reason == SMPP_CLOSE_BIND_FAILED);
    }
    pump(&P, SMSC, ESME);
    if (expect_event(ESME, &ev, SMPP_EVENT_BIND_FAILED, "bind_resp with an error")) {
        CHECK(ev.reason == SMPP_BIND_FAILURE_REJECTED);
        CHECK((ev.flags & SMPP_EVENT_HAS_STATUS) && ev.command_status == SMPP_STATUS_INVALID_PASSWORD);
    }
    if (expect_event(ESME, &ev, SMPP_EVENT_CLOSED, "after the bind failure")) {
        CHECK(ev.reason == SMPP_CLOSE_BIND_FAILED);
    }
    CHECK(drain_events(ESME) == 0);
    CHECK_RC(smpp_state(ESME, NULL), (int32_t)SMPP_STATE_CLOSED);
    pair_deinit(&P);
}

/* ---- a long UCS-2 text, its parts, their ids and a receipt --------------------------------- */

static const char LONG_TEXT[] =
    "Alarm \xF0\x9F\x9A\xA8 zone 3 (front door) opened at 02:14; zone 4 (garage) opened at 02:15. "
    "\xCE\x9A\xCE\xB1\xCE\xBB\xCE\xB7\xCE\xBD\xCF\x8D\xCF\x87\xCF\x84\xCE\xB1! Check the panel "
    "\xF0\x9F\x94\xA5\xF0\x9F\x94\xA5 and call the monitoring centre if you did not arm it yourself.";

static void test_long_ucs2_text_with_emoji_and_receipts(int copying) {
    static uint8_t expected[1024], got[1024];
    smpp_event ev;
    smpp_sm tmpl = template_to("34600000000");
    uint32_t message = 0, handles[8] = {0}, deliver = 0;
    uint32_t total = 0, ref = 0;
    size_t got_len = 0;
    size_t expected_len = utf16be(LONG_TEXT, expected, sizeof expected);

    fresh(copying);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    CHECK_OK(smpp_submit_text(ESME, P.now, &tmpl, LONG_TEXT, strlen(LONG_TEXT), NULL, &message));
    CHECK_RC(smpp_outstanding(ESME), 3);
    pump(&P, ESME, SMSC);

    for (uint32_t i = 1; i <= 3; i++) {
        char id[8];
        if (!expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "a part")) {
            break;
        }
        CHECK(ev.command_id == SMPP_COMMAND_SUBMIT_SM);
        CHECK(ev.data_coding == 8);
        CHECK(ev.esm_class & SMPP_ESM_CLASS_UDHI);
        CHECK(bytes_eq(ev.source_addr, "Alarm") && ev.source_ton == SMPP_TON_ALPHANUMERIC);
        CHECK(bytes_eq(ev.dest_addr, "34600000000") && ev.dest_ton == 1 && ev.dest_npi == 1);
        /* UDH: length 5, IE 0x00 (8-bit reference) of 3 octets: reference, total, number. */
        CHECK(ev.text.len > 6 && ev.text.ptr[0] == 5 && ev.text.ptr[1] == 0 && ev.text.ptr[2] == 3);
        if (ev.text.len > 6) {
            if (i == 1) {
                ref = ev.text.ptr[3];
                total = ev.text.ptr[4];
            }
            CHECK(ev.text.ptr[3] == ref && ev.text.ptr[4] == total && ev.text.ptr[5] == i);
            CHECK(ev.text.len - 6 <= 134 && (ev.text.len - 6) % 2 == 0);
            if (got_len + ev.text.len - 6 <= sizeof got) {
                memcpy(got + got_len, ev.text.ptr + 6, ev.text.len - 6);
                got_len += ev.text.len - 6;
            }
        }
        snprintf(id, sizeof id, "M%lu", (unsigned long)i);
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, id));
    }
    CHECK(total == 3);
    CHECK(ref != 0);
    CHECK(got_len == expected_len && memcmp(got, expected, expected_len) == 0);
    CHECK(drain_events(SMSC) == 0);

    pump(&P, SMSC, ESME);
    for (uint32_t i = 1; i <= 3; i++) {
        char id[8];
        if (!expect_event(ESME, &ev, SMPP_EVENT_OUTCOME, "a part's response")) {
            break;
        }
        snprintf(id, sizeof id, "M%lu", (unsigned long)i);
        CHECK(ev.reason == SMPP_OUTCOME_RESPONSE);
        CHECK((ev.flags & SMPP_EVENT_HAS_STATUS) && ev.command_status == SMPP_STATUS_OK);
        CHECK(ev.command_id == SMPP_COMMAND_SUBMIT_SM);
        CHECK(ev.flags & SMPP_EVENT_HAS_HANDLE);
        CHECK((ev.flags & SMPP_EVENT_HAS_PART) && ev.message == message && ev.part_index == i && ev.part_total == 3);
        CHECK(bytes_eq(ev.message_id, id));
        handles[i] = ev.handle;
    }
    if (expect_event(ESME, &ev, SMPP_EVENT_MESSAGE_DONE, "all parts answered")) {
        CHECK(ev.handle == message);
        CHECK(ev.part_total == 3 && ev.accepted == 3 && ev.failed_part == 0);
    }
    CHECK(drain_events(ESME) == 0);
    CHECK_RC(smpp_outstanding(ESME), 0);

    /* The SMSC's receipt for the second part. */
    {
        static const char receipt[] =
            "id:M2 sub:001 dlvrd:001 submit date:2504231542 done date:2504231543 stat:DELIVRD err:000 text:Alarm";
        smpp_sm r;
        memset(&r, 0, sizeof r);
        r.source_addr = "34600000000";
        r.source_ton = SMPP_TON_INTERNATIONAL;
        r.source_npi = SMPP_NPI_ISDN;
        r.dest_addr = "Alarm";
        r.dest_ton = SMPP_TON_ALPHANUMERIC;
        r.esm_class = SMPP_ESM_CLASS_DELIVERY_RECEIPT;
        r.short_message = (const uint8_t *)receipt;
        r.short_message_len = strlen(receipt);
        CHECK_OK(smpp_deliver(SMSC, P.now, &r, &deliver));
    }
    pump(&P, SMSC, ESME);
    if (expect_event(ESME, &ev, SMPP_EVENT_RECEIPT, "the receipt")) {
        CHECK(ev.token == 0); /* acknowledged by the session: automatic ack mode */
        CHECK((ev.flags & SMPP_EVENT_HAS_HANDLE) && ev.handle == handles[2]);
        CHECK((ev.flags & SMPP_EVENT_HAS_PART) && ev.message == message && ev.part_index == 2);
        CHECK((ev.flags & SMPP_EVENT_HAS_STATE) && ev.message_state == 2);
        CHECK(bytes_eq(ev.message_id, "M2"));
        CHECK(bytes_eq(ev.receipt_stat, "DELIVRD"));
        CHECK(bytes_eq(ev.receipt_error, "000"));
        CHECK(ev.esm_class == SMPP_ESM_CLASS_DELIVERY_RECEIPT);
        CHECK(bytes_eq(ev.source_addr, "34600000000"));
    }
    CHECK(drain_events(ESME) == 0);
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_OUTCOME, "deliver_sm_resp")) {
        CHECK(ev.handle == deliver && ev.reason == SMPP_OUTCOME_RESPONSE && ev.command_status == 0);
        CHECK(ev.command_id == SMPP_COMMAND_DELIVER_SM);
    }
    pair_deinit(&P);
}

static void test_long_text_zero_copy(void) { test_long_ucs2_text_with_emoji_and_receipts(0); }
static void test_long_text_copying(void) { test_long_ucs2_text_with_emoji_and_receipts(1); }

static void test_text_options(void) {
    static uint8_t scratch[600];
    static char long_gsm[400];
    smpp_event ev;
    smpp_sm tmpl = template_to("34600000000");
    smpp_text_options o;
    uint32_t message;
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);

    /* GSM 03.38 chosen by itself for plain text: one part, no UDH. */
    CHECK_OK(smpp_submit_text(ESME, P.now, &tmpl, "Zone 3 open", 11, NULL, &message));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "gsm text")) {
        CHECK(ev.data_coding == 0 && !(ev.esm_class & SMPP_ESM_CLASS_UDHI));
        CHECK(bytes_eq(ev.text, "Zone 3 open"));
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, "A1"));
    }
    CHECK(settle() == 2); /* the outcome and the message */

    /* Spanish single shift instead of UCS-2, with the national variant only. */
    CHECK_OK(smpp_submit_text_national(ESME, P.now, &tmpl, "Canci\xC3\xB3n", 8, NULL, SMPP_LANGUAGE_SPANISH,
                                       &message));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "national text")) {
        CHECK(ev.data_coding == 0 && (ev.esm_class & SMPP_ESM_CLASS_UDHI));
        /* UDH: length 3, IE 0x24 (single shift) of 1 octet: Spanish (2). */
        CHECK(ev.text.len > 4 && ev.text.ptr[0] == 3 && ev.text.ptr[1] == 0x24 && ev.text.ptr[3] == 2);
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, "A2"));
    }
    CHECK(settle() == 2); /* the outcome and the message */
    CHECK_OK(smpp_submit_text(ESME, P.now, &tmpl, "Canci\xC3\xB3n", 8, NULL, &message));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "without the national tables")) {
        CHECK(ev.data_coding == 8);
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, "A3"));
    }
    CHECK(settle() == 2); /* the outcome and the message */
    CHECK_RC(smpp_submit_text_national(ESME, P.now, &tmpl, "x", 1, NULL, 1u << 7, &message), SMPP_ERR_BAD_ARGUMENT);

    /* Explicit encodings, and what they cannot write. */
    memset(&o, 0, sizeof o);
    o.encoding = SMPP_ENCODING_GSM7;
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, "\xF0\x9F\x94\xA5", 4, &o, &message), SMPP_ERR_TEXT_UNREPRESENTABLE);
    o.encoding = SMPP_ENCODING_LATIN1;
    CHECK_OK(smpp_submit_text(ESME, P.now, &tmpl, "Caf\xC3\xA9", 5, &o, &message));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "latin-1")) {
        CHECK(ev.data_coding == 3 && ev.text.len == 4 && ev.text.ptr[3] == 0xE9);
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, "A4"));
    }
    CHECK(settle() == 2); /* the outcome and the message */

    /* message_payload: one PDU, the encoded text in the caller's scratch buffer. */
    memset(long_gsm, 'a', sizeof long_gsm - 1);
    memset(&o, 0, sizeof o);
    o.concatenation = SMPP_CONCAT_PAYLOAD;
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, long_gsm, strlen(long_gsm), &o, &message), SMPP_ERR_SCRATCH_TOO_SMALL);
    o.scratch = scratch;
    o.scratch_len = sizeof scratch;
    CHECK_OK(smpp_submit_text(ESME, P.now, &tmpl, long_gsm, strlen(long_gsm), &o, &message));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "payload")) {
        CHECK(ev.text.len == strlen(long_gsm) && ev.text.ptr[0] == 'a');
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, "A5"));
    }
    CHECK(settle() == 2); /* the outcome and the message */
    /* The scratch buffer may not be one of the session's own. */
    o.scratch = P.esme.tx;
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, "a", 1, &o, &message), SMPP_ERR_BAD_ARGUMENT);

    /* SAR TLVs with a reference of our own. */
    memset(&o, 0, sizeof o);
    o.concatenation = SMPP_CONCAT_SAR;
    o.reference = 0x1234;
    CHECK_OK(smpp_submit_text(ESME, P.now, &tmpl, long_gsm, 200, &o, &message));
    pump(&P, ESME, SMSC);
    for (int i = 0; i < 2; i++) {
        if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "sar part")) {
            CHECK(!(ev.esm_class & SMPP_ESM_CLASS_UDHI));
            CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, "S"));
        }
    }
    CHECK(settle() == 3); /* two outcomes and the message */
    CHECK_RC(smpp_outstanding(ESME), 0);

    /* More parts than the window can ever hold; more than 255 parts; bad options. */
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, long_gsm, 399, NULL, &message), SMPP_OK);
    pump(&P, ESME, SMSC);
    CHECK(drain_events(SMSC) == 3);
    {
        static char huge[(SMPP_WINDOW + 1) * 153 + 1];
        memset(huge, 'b', sizeof huge - 1);
        CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, huge, strlen(huge), NULL, &message), SMPP_ERR_TOO_LARGE);
    }
    {
        static char huge[256 * 160];
        memset(huge, 'c', sizeof huge - 1);
        huge[sizeof huge - 1] = 0;
        CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, huge, strlen(huge), NULL, &message), SMPP_ERR_TEXT_TOO_LONG);
    }
    memset(&o, 0, sizeof o);
    o.encoding = 9;
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, "a", 1, &o, &message), SMPP_ERR_BAD_ARGUMENT);
    o.encoding = 0;
    o.concatenation = 9;
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, "a", 1, &o, &message), SMPP_ERR_BAD_ARGUMENT);
    o.concatenation = 0;
    o.reference = 0x10000;
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, "a", 1, &o, &message), SMPP_ERR_BAD_ARGUMENT);
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, "\xC3\x28", 2, NULL, &message), SMPP_ERR_BAD_ARGUMENT);
    CHECK_RC(smpp_submit_text(ESME, P.now, NULL, "a", 1, NULL, &message), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_submit_text(ESME, P.now, &tmpl, NULL, 1, NULL, &message), SMPP_ERR_NULL_POINTER);
    /* An empty text is one empty part; the handle may be left out. */
    CHECK_OK(smpp_submit_text(ESME, P.now, &tmpl, NULL, 0, NULL, NULL));
    pair_deinit(&P);
}

/* ---- messages from the SMSC, manual acknowledgement --------------------------------------- */

static void test_mobile_originated_message_with_manual_ack(void) {
    smpp_event ev;
    smpp_config c;
    smpp_sm mo;
    uint32_t handle = 0;
    static const uint8_t tlvs[] = {0x04, 0x24, 0x00, 0x03, 'h', 'i', '!'}; /* message_payload */
    CHECK_OK(smpp_config_default(&c));
    c.ack_mode = SMPP_ACK_MANUAL;
    fresh(0);
    pair_init(&P, &c, NULL);
    bind_pair(&P);

    memset(&mo, 0, sizeof mo);
    mo.source_addr = "34611111111";
    mo.source_ton = SMPP_TON_INTERNATIONAL;
    mo.source_npi = SMPP_NPI_ISDN;
    mo.dest_addr = "Alarm";
    mo.short_message = (const uint8_t *)"ARM";
    mo.short_message_len = 3;
    CHECK_OK(smpp_deliver(SMSC, P.now, &mo, &handle));
    pump(&P, SMSC, ESME);
    if (expect_event(ESME, &ev, SMPP_EVENT_MESSAGE, "mo")) {
        CHECK(bytes_eq(ev.text, "ARM"));
        CHECK(bytes_eq(ev.source_addr, "34611111111") && ev.source_ton == 1 && ev.source_npi == 1);
        CHECK(bytes_eq(ev.dest_addr, "Alarm"));
        CHECK(ev.data_coding == 0);
        CHECK(ev.token != 0);
        CHECK(ev.command_id == SMPP_COMMAND_DELIVER_SM);
        CHECK(pump(&P, ESME, SMSC) == 0); /* not answered until the application says so */
        CHECK_RC(smpp_respond(ESME, P.now, ev.token, SMPP_STATUS_OK, "x"), SMPP_OK);
        CHECK_RC(smpp_ack(ESME, P.now, ev.token, SMPP_STATUS_OK), SMPP_ERR_UNKNOWN_TOKEN);
        CHECK_RC(smpp_ack(ESME, P.now, 0, SMPP_STATUS_OK), SMPP_ERR_UNKNOWN_TOKEN);
    }
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_OUTCOME, "deliver_sm_resp")) {
        CHECK(ev.handle == handle && ev.command_status == 0 && ev.reason == SMPP_OUTCOME_RESPONSE);
    }

    /* The text may come in message_payload; an ack with a transient error asks for it again. */
    mo.short_message = NULL;
    mo.short_message_len = 0;
    mo.tlvs = tlvs;
    mo.tlvs_len = sizeof tlvs;
    CHECK_OK(smpp_deliver(SMSC, P.now, &mo, &handle));
    pump(&P, SMSC, ESME);
    if (expect_event(ESME, &ev, SMPP_EVENT_MESSAGE, "mo in message_payload")) {
        CHECK(bytes_eq(ev.text, "hi!"));
        CHECK_OK(smpp_ack(ESME, P.now, ev.token, SMPP_STATUS_TEMPORARY_APP_ERROR));
    }
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_OUTCOME, "deliver_sm_resp with an error")) {
        CHECK(ev.command_status == SMPP_STATUS_TEMPORARY_APP_ERROR);
    }
    /* A deliver from the ESME role is not a request it may send. */
    CHECK_RC(smpp_deliver(ESME, P.now, &mo, &handle), SMPP_ERR_NOT_A_REQUEST);
    /* TLVs that do not parse are refused before anything is sent. */
    mo.tlvs_len = 3;
    CHECK_RC(smpp_deliver(SMSC, P.now, &mo, &handle), SMPP_ERR_ENCODE);
    pair_deinit(&P);
}

/* ---- timers ------------------------------------------------------------------------------ */

static void test_response_timeout_and_late_response(void) {
    smpp_event ev;
    smpp_config c;
    smpp_counters counters;
    smpp_sm sm = template_to("34600000000");
    uint32_t handle = 0, token = 0;
    uint64_t deadline = 0;
    CHECK_OK(smpp_config_default(&c));
    c.response_timeout_ms = 5000;
    c.keepalive = SMPP_KEEPALIVE_OFF;
    fresh(0);
    pair_init(&P, &c, NULL);
    bind_pair(&P);
    sm.short_message = (const uint8_t *)"hello";
    sm.short_message_len = 5;
    CHECK_RC(smpp_poll_timeout(ESME, &deadline), 0);
    CHECK(deadline == SMPP_NO_TIMEOUT);
    CHECK_OK(smpp_submit(ESME, P.now, &sm, &handle));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "submit")) {
        token = ev.token;
        CHECK(bytes_eq(ev.text, "hello"));
    }
    CHECK_RC(smpp_poll_timeout(ESME, &deadline), 1);
    CHECK(deadline == P.now + 5000);
    CHECK_OK(smpp_handle_timeout(ESME, deadline - 1));
    CHECK(drain_events(ESME) == 0);
    P.now = deadline;
    CHECK_OK(smpp_handle_timeout(ESME, P.now));
    if (expect_event(ESME, &ev, SMPP_EVENT_OUTCOME, "timeout")) {
        CHECK(ev.handle == handle && ev.reason == SMPP_OUTCOME_TIMEOUT);
        CHECK(!(ev.flags & SMPP_EVENT_HAS_STATUS));
        CHECK(ev.message_id.len == 0 && ev.message_id.ptr == NULL);
    }
    CHECK(drain_events(ESME) == 0);
    /* The SMSC answers after all: counted, not reported twice. */
    CHECK_OK(smpp_respond(SMSC, P.now, token, SMPP_STATUS_OK, "late"));
    pump(&P, SMSC, ESME);
    CHECK(drain_events(ESME) == 0);
    CHECK_OK(smpp_session_counters(ESME, &counters));
    CHECK(counters.unexpected_responses == 1 && counters.response_timeouts == 1);
    pair_deinit(&P);
}

static void test_keepalive_and_dead_link(void) {
    smpp_event ev;
    smpp_counters before, after;
    uint64_t deadline = 0;
    fresh(1);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    CHECK_RC(smpp_poll_timeout(ESME, &deadline), 1);
    CHECK(deadline == P.now + 30000); /* default: enquire_link after 30 s without a PDU */
    P.now = deadline;
    CHECK_OK(smpp_handle_timeout(ESME, P.now));
    CHECK_RC(smpp_pending_transmit(ESME), 16);
    CHECK_OK(smpp_session_counters(ESME, &before));
    pump(&P, ESME, SMSC);
    CHECK(drain_events(SMSC) == 0); /* the SMSC session answers enquire_link itself */
    pump(&P, SMSC, ESME);
    CHECK(drain_events(ESME) == 0);
    CHECK_OK(smpp_session_counters(ESME, &after));
    CHECK(after.pdus_received == before.pdus_received + 1);

    /* Now the link goes quiet: the next enquire_link is never answered. */
    CHECK_RC(smpp_poll_timeout(ESME, &deadline), 1);
    CHECK(deadline == P.now + 30000);
    P.now = deadline;
    CHECK_OK(smpp_handle_timeout(ESME, P.now));
    CHECK_RC(smpp_poll_timeout(ESME, &deadline), 1);
    CHECK(deadline == P.now + 10000);
    P.now = deadline;
    CHECK_OK(smpp_handle_timeout(ESME, P.now));
    if (expect_event(ESME, &ev, SMPP_EVENT_CLOSED, "dead link")) {
        CHECK(ev.reason == SMPP_CLOSE_LINK_DEAD);
    }
    CHECK(drain_events(ESME) == 0);
    CHECK_RC(smpp_poll_timeout(ESME, &deadline), 0);
    pair_deinit(&P);
}

static void test_bind_timeout(void) {
    smpp_event ev;
    smpp_bind_params bp = {.system_id = "panel", .password = "secret"};
    uint64_t deadline = 0;
    fresh(0);
    pair_init(&P, NULL, NULL);
    CHECK_OK(smpp_bind(ESME, P.now, SMPP_BIND_RECEIVER, &bp));
    CHECK_RC(smpp_poll_timeout(ESME, &deadline), 1);
    CHECK(deadline == P.now + 10000);
    CHECK_OK(smpp_handle_timeout(ESME, deadline + 5));
    if (expect_event(ESME, &ev, SMPP_EVENT_BIND_FAILED, "no bind_resp")) {
        CHECK(ev.reason == SMPP_BIND_FAILURE_TIMEOUT && !(ev.flags & SMPP_EVENT_HAS_STATUS));
    }
    if (expect_event(ESME, &ev, SMPP_EVENT_CLOSED, "after the bind timeout")) {
        CHECK(ev.reason == SMPP_CLOSE_BIND_FAILED);
    }
    CHECK(drain_events(ESME) == 0);
    /* The SMSC side closes the unbound connection after its session init timeout. */
    CHECK_RC(smpp_poll_timeout(SMSC, &deadline), 1);
    CHECK_OK(smpp_handle_timeout(SMSC, deadline));
    if (expect_event(SMSC, &ev, SMPP_EVENT_CLOSED, "session init timeout")) {
        CHECK(ev.reason == SMPP_CLOSE_SESSION_INIT_TIMEOUT);
    }
    pair_deinit(&P);
}

/* ---- resources: a full window, a full transmit buffer, a full receive buffer -------------- */

static void test_full_window_and_transmit_buffer(void) {
    static uint8_t body[200];
    smpp_event ev;
    smpp_sm sm = template_to("34600000000");
    uint32_t handle;
    int32_t rc;
    int sent = 0;
    memset(body, 'x', sizeof body);
    sm.short_message = body;
    sm.short_message_len = sizeof body;

    /* The window: W requests in flight, then busy. */
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    uint32_t first_token = 0;
    for (uint32_t i = 0; i < SMPP_WINDOW; i++) {
        CHECK_OK(smpp_submit(ESME, P.now, &sm, &handle));
        pump(&P, ESME, SMSC);
        if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "a submit")) {
            first_token = i == 0 ? ev.token : first_token;
        }
    }
    rc = smpp_submit(ESME, P.now, &sm, &handle);
    CHECK_RC(rc, SMPP_ERR_WINDOW_FULL);
    CHECK(smpp_error_is_busy(rc));
    CHECK_OK(smpp_respond(SMSC, P.now, first_token, SMPP_STATUS_OK, "1"));
    pump(&P, SMSC, ESME);
    CHECK(drain_events(ESME) == 1);
    CHECK_OK(smpp_submit(ESME, P.now, &sm, &handle));
    pair_deinit(&P);

    /* The transmit buffer: as small as allowed, never drained, then drained. */
    fresh(0);
    P.esme_tx_len = smpp_min_transmit_buffer() + 300;
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    while ((rc = smpp_submit(ESME, P.now, &sm, &handle)) == SMPP_OK) {
        sent++;
    }
    CHECK_RC(rc, SMPP_ERR_TRANSMIT_BUFFER_FULL);
    CHECK(smpp_error_is_busy(rc));
    CHECK(sent >= 1 && sent < (int)SMPP_WINDOW);
    CHECK_RC(smpp_outstanding(ESME), sent);
    /* Keepalive and answers still have their room. */
    CHECK(smpp_pending_transmit(ESME) <= (int32_t)P.esme_tx_len);
    pump(&P, ESME, SMSC);
    CHECK_RC(smpp_pending_transmit(ESME), 0);
    CHECK_OK(smpp_submit(ESME, P.now, &sm, &handle));
    CHECK(drain_events(SMSC) == sent);
    pair_deinit(&P);
}

static void test_full_receive_buffer(void) {
    smpp_event ev;
    smpp_sm mo;
    uint8_t wire[4096];
    size_t wire_len = 0;
    uint32_t handle;
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    static uint8_t text[150];
    memset(text, 'm', sizeof text);
    memset(&mo, 0, sizeof mo);
    mo.source_addr = "34611111111";
    mo.dest_addr = "Alarm";
    mo.short_message = text;
    mo.short_message_len = sizeof text;
    for (int i = 0; i < 8; i++) {
        CHECK_OK(smpp_deliver(SMSC, P.now, &mo, &handle));
    }
    {
        int32_t n = smpp_poll_transmit(SMSC, wire, sizeof wire);
        CHECK(n > (int32_t)sizeof P.esme.rx);
        wire_len = n > 0 ? (size_t)n : 0;
    }
    /* More than the receive buffer holds: the session takes what fits ... */
    int32_t took = smpp_handle_input(ESME, P.now, wire, wire_len);
    CHECK(took > 0 && (size_t)took < wire_len);
    CHECK_RC(smpp_handle_input(ESME, P.now, wire + took, wire_len - (size_t)took), 0);
    /* ... and the rest once the application has taken events. */
    int messages = 0;
    size_t off = (size_t)(took > 0 ? took : 0);
    while (off < wire_len || messages < 8) {
        int32_t rc = smpp_poll_event(ESME, &ev);
        if (rc == 1) {
            CHECK(ev.kind == SMPP_EVENT_MESSAGE && ev.text.len == sizeof text);
            messages++;
            continue;
        }
        CHECK(rc == 0);
        if (off >= wire_len) {
            break;
        }
        int32_t more = smpp_handle_input(ESME, P.now, wire + off, wire_len - off);
        CHECK(more > 0);
        if (more <= 0) {
            break;
        }
        off += (size_t)more;
    }
    CHECK(messages == 8);
    pump(&P, ESME, SMSC);
    CHECK(drain_events(SMSC) == 8);
    pair_deinit(&P);
}

/* ---- ends of a session -------------------------------------------------------------------- */

static void test_unbind_and_connection_lost(void) {
    smpp_event ev;
    smpp_sm sm = template_to("34600000000");
    uint32_t handle;
    uint8_t junk[64];
    fresh(1);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    CHECK_OK(smpp_unbind(ESME, P.now));
    CHECK_RC(smpp_unbind(ESME, P.now), SMPP_ERR_INVALID_STATE);
    CHECK_RC(smpp_state(ESME, NULL), (int32_t)SMPP_STATE_UNBINDING);
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_CLOSED, "peer unbound")) {
        CHECK(ev.reason == SMPP_CLOSE_PEER_UNBOUND);
    }
    pump(&P, SMSC, ESME);
    if (expect_event(ESME, &ev, SMPP_EVENT_CLOSED, "unbound")) {
        CHECK(ev.reason == SMPP_CLOSE_UNBOUND);
    }
    CHECK(drain_events(ESME) == 0);
    CHECK(drain_events(ESME) == 0); /* Closed was the last event */
    /* After close everything is taken and discarded. */
    memset(junk, 0xEE, sizeof junk);
    CHECK_RC(smpp_handle_input(ESME, P.now, junk, sizeof junk), (int32_t)sizeof junk);
    CHECK(drain_events(ESME) == 0);
    pair_deinit(&P);

    /* A lost connection: the outstanding request is reported lost, then the close. */
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    sm.short_message = (const uint8_t *)"x";
    sm.short_message_len = 1;
    CHECK_OK(smpp_submit(ESME, P.now, &sm, &handle));
    CHECK_OK(smpp_handle_connection_lost(ESME, P.now));
    if (expect_event(ESME, &ev, SMPP_EVENT_OUTCOME, "lost")) {
        CHECK(ev.handle == handle && ev.reason == SMPP_OUTCOME_CONNECTION_LOST);
    }
    if (expect_event(ESME, &ev, SMPP_EVENT_CLOSED, "lost")) {
        CHECK(ev.reason == SMPP_CLOSE_CONNECTION_LOST);
    }
    /* close on the other side: the same, without unbind. */
    CHECK_OK(smpp_close(SMSC, P.now));
    if (expect_event(SMSC, &ev, SMPP_EVENT_CLOSED, "closed")) {
        CHECK(ev.reason == SMPP_CLOSE_CLOSED);
    }
    pair_deinit(&P);
}

static void test_throttling(void) {
    smpp_event ev;
    smpp_sm sm = template_to("34600000000");
    uint32_t handle;
    uint64_t until = 0;
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    sm.short_message = (const uint8_t *)"x";
    sm.short_message_len = 1;
    CHECK_OK(smpp_submit(ESME, P.now, &sm, &handle));
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "submit")) {
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_THROTTLED, NULL));
    }
    pump(&P, SMSC, ESME);
    int seen_outcome = 0, seen_throttled = 0;
    while (smpp_poll_event(ESME, &ev) == 1) {
        if (ev.kind == SMPP_EVENT_OUTCOME) {
            seen_outcome++;
            CHECK(ev.command_status == SMPP_STATUS_THROTTLED && ev.reason == SMPP_OUTCOME_RESPONSE);
        } else if (ev.kind == SMPP_EVENT_THROTTLED) {
            seen_throttled++;
            CHECK(ev.until_ms == P.now + 1000);
        }
    }
    CHECK(seen_outcome == 1 && seen_throttled == 1);
    CHECK_RC(smpp_submit(ESME, P.now, &sm, &handle), SMPP_ERR_PAUSED);
    CHECK_RC(smpp_paused_until(ESME, P.now, &until), 1);
    CHECK(until == P.now + 1000);
    P.now = until;
    CHECK_OK(smpp_handle_timeout(ESME, P.now));
    CHECK_RC(smpp_paused_until(ESME, P.now, &until), 0);
    CHECK_OK(smpp_submit(ESME, P.now, &sm, &handle));
    pair_deinit(&P);
}

static void test_send_frame_and_handles(void) {
    smpp_event ev;
    uint32_t handle = 0, next = 0;
    /* A query_sm encoded by the application: header, message_id "M1", source address. */
    static const uint8_t query[] = {
        0, 0, 0, 0x16, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x63, 'M', '1', 0, 0, 0, 0,
    };
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    CHECK_OK(smpp_set_next_handle(ESME, 500));
    CHECK_OK(smpp_next_handle(ESME, &next));
    CHECK(next == 500);
    CHECK_OK(smpp_send_frame(ESME, P.now, query, sizeof query, &handle));
    CHECK(handle == 500);
    CHECK_RC(smpp_send_frame(ESME, P.now, query, sizeof query - 1, &handle), SMPP_ERR_ENCODE);
    pump(&P, ESME, SMSC);
    if (expect_event(SMSC, &ev, SMPP_EVENT_REQUEST, "query_sm")) {
        CHECK(ev.command_id == 0x03);
        CHECK(ev.sequence_number != 0x63); /* the session's own sequence number */
        /* query_sm_resp has a body the C API does not build: an error answer is fine. */
        CHECK_RC(smpp_respond(SMSC, P.now, ev.token, SMPP_STATUS_OK, "M1"), SMPP_ERR_WRONG_RESPONSE);
        CHECK_OK(smpp_respond(SMSC, P.now, ev.token, 0x67, NULL));
    }
    pump(&P, SMSC, ESME);
    if (expect_event(ESME, &ev, SMPP_EVENT_OUTCOME, "query_sm_resp")) {
        CHECK(ev.handle == 500 && ev.command_id == 0x03 && ev.command_status == 0x67);
    }
    CHECK_OK(smpp_set_next_sequence_number(ESME, 77));
    pair_deinit(&P);
}

/* ---- what the peer sends cannot crash the API ---------------------------------------------- */

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_invalid_command_length_closes(void) {
    smpp_event ev;
    static const uint8_t bad[] = {0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9};
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    CHECK_RC(smpp_handle_input(ESME, P.now, bad, sizeof bad), (int32_t)sizeof bad);
    if (expect_event(ESME, &ev, SMPP_EVENT_CLOSED, "framing lost")) {
        CHECK(ev.reason == SMPP_CLOSE_INVALID_COMMAND_LENGTH && ev.detail == 5);
    }
    CHECK_RC(smpp_pending_transmit(ESME), 16); /* generic_nack */
    pair_deinit(&P);
}

/* Frames of a real exchange, mutated and fed in random chunks to both roles. */
#ifndef GARBAGE_ROUNDS
#define GARBAGE_ROUNDS 300
#endif

static void test_peer_garbage(void) {
    static uint8_t corpus[4096];
    static uint8_t input[512];
    size_t corpus_len = 0;
    smpp_sm sm = template_to("34600000000");
    uint32_t handle;
    smpp_event ev;

    /* A corpus: what both sides send in a bind, a text, its responses and a receipt. */
    fresh(0);
    pair_init(&P, NULL, NULL);
    {
        smpp_bind_params bp = {.system_id = "panel", .password = "secret"};
        CHECK_OK(smpp_bind(ESME, P.now, SMPP_BIND_TRANSCEIVER, &bp));
        int32_t n = smpp_poll_transmit(ESME, corpus, sizeof corpus);
        corpus_len += n > 0 ? (size_t)n : 0;
    }
    CHECK_OK(smpp_handle_input(SMSC, P.now, corpus, corpus_len) == (int32_t)corpus_len ? SMPP_OK : -1);
    if (expect_event(SMSC, &ev, SMPP_EVENT_BIND_REQUEST, "corpus bind")) {
        CHECK_OK(smpp_accept_bind(SMSC, P.now, ev.token, "SMSC"));
    }
    sm.short_message = (const uint8_t *)"hello";
    sm.short_message_len = 5;
    {
        int32_t n = smpp_poll_transmit(SMSC, corpus + corpus_len, sizeof corpus - corpus_len);
        corpus_len += n > 0 ? (size_t)n : 0;
        smpp_sm r = template_to("Alarm");
        static const char text[] = "id:1 stat:DELIVRD err:000";
        r.esm_class = SMPP_ESM_CLASS_DELIVERY_RECEIPT;
        r.short_message = (const uint8_t *)text;
        r.short_message_len = sizeof text - 1;
        CHECK_OK(smpp_deliver(SMSC, P.now, &r, &handle));
        CHECK_OK(smpp_deliver(SMSC, P.now, &sm, &handle));
        n = smpp_poll_transmit(SMSC, corpus + corpus_len, sizeof corpus - corpus_len);
        corpus_len += n > 0 ? (size_t)n : 0;
    }
    pair_deinit(&P);
    CHECK(corpus_len > 100);

    for (int round = 0; round < GARBAGE_ROUNDS; round++) {
        smpp_session *s;
        fresh(0);
        pair_init(&P, NULL, NULL);
        s = (round & 1) ? SMSC : ESME;
        if (s == ESME) {
            smpp_bind_params bp = {.system_id = "panel", .password = "secret"};
            CHECK_OK(smpp_bind(ESME, P.now, SMPP_BIND_TRANSCEIVER, &bp));
        }
        for (int step = 0; step < 40; step++) {
            size_t len = 1 + rng() % sizeof input;
            size_t at = rng() % corpus_len;
            for (size_t i = 0; i < len; i++) {
                input[i] = corpus[(at + i) % corpus_len];
            }
            for (uint32_t flips = rng() % 4; flips > 0; flips--) {
                input[rng() % len] = (uint8_t)rng();
            }
            if (rng() % 8 == 0) {
                input[0] = input[1] = 0; /* a plausible small command_length */
                input[2] = (uint8_t)(rng() % 2);
            }
            size_t off = 0;
            while (off < len) {
                size_t chunk = 1 + rng() % (len - off);
                int32_t took = smpp_handle_input(s, P.now, input + off, chunk);
                CHECK(took >= 0);
                int32_t rc;
                while ((rc = smpp_poll_event(s, &ev)) == 1) {
                    if (ev.token != 0) {
                        int32_t a = rng() % 2 ? smpp_ack(s, P.now, ev.token, 0)
                                              : smpp_respond(s, P.now, ev.token, SMPP_STATUS_OK, "id");
                        CHECK(a == SMPP_OK || a == SMPP_ERR_WRONG_RESPONSE || a == SMPP_ERR_TRANSMIT_BUFFER_FULL ||
                              a == SMPP_ERR_UNKNOWN_TOKEN);
                    }
                    /* Every byte field is readable. */
                    volatile uint8_t sink = 0;
                    for (size_t i = 0; i < ev.text.len; i++) sink ^= ev.text.ptr[i];
                    for (size_t i = 0; i < ev.message_id.len; i++) sink ^= ev.message_id.ptr[i];
                    for (size_t i = 0; i < ev.source_addr.len; i++) sink ^= ev.source_addr.ptr[i];
                    for (size_t i = 0; i < ev.system_id.len; i++) sink ^= ev.system_id.ptr[i];
                    (void)sink;
                }
                CHECK(rc == 0);
                /* Drain what it answered, as a transport would. */
                uint8_t out[256];
                while (smpp_poll_transmit(s, out, sizeof out) > 0) {
                }
                if (took <= 0) {
                    break;
                }
                off += (size_t)took;
            }
            P.now += rng() % 20000;
            CHECK_OK(smpp_handle_timeout(s, P.now));
            CHECK(drain_events(s) >= 0);
        }
        pair_deinit(&P);
    }
}

/* ---- NULL and bad arguments --------------------------------------------------------------- */

static void test_null_and_bad_arguments(void) {
    smpp_event ev;
    smpp_sm sm = template_to("34600000000");
    smpp_bind_params bp = {.system_id = "panel", .password = "secret"};
    uint8_t *room = NULL;
    const uint8_t *data = NULL;
    size_t len = 0;
    uint64_t t = 0;
    uint32_t u = 0;
    smpp_counters counters;
    static char unterminated[300];
    memset(unterminated, 'x', sizeof unterminated);

    /* A NULL session everywhere. */
    CHECK_RC(smpp_session_deinit(NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_receive_buffer(NULL, &room, &len), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_commit(NULL, 0, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_handle_input(NULL, 0, NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_handle_timeout(NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_handle_connection_lost(NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_transmit(NULL, &data, &len), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_transmitted(NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_poll_transmit(NULL, NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_poll_event(NULL, &ev), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_poll_timeout(NULL, &t), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_bind(NULL, 0, SMPP_BIND_TRANSCEIVER, &bp), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_submit(NULL, 0, &sm, &u), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_deliver(NULL, 0, &sm, &u), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_submit_text(NULL, 0, &sm, "a", 1, NULL, &u), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_send_frame(NULL, 0, NULL, 0, &u), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_respond(NULL, 0, 1, 0, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_ack(NULL, 0, 1, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_accept_bind(NULL, 0, 1, "x"), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_reject_bind(NULL, 0, 1, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_unbind(NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_close(NULL, 0), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_state(NULL, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_session_counters(NULL, &counters), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_outstanding(NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_pending_transmit(NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_paused_until(NULL, 0, &t), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_next_handle(NULL, &u), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_set_next_handle(NULL, 1), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_set_next_sequence_number(NULL, 1), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_config_default(NULL), SMPP_ERR_NULL_POINTER);

    fresh(0);
    pair_init(&P, NULL, NULL);

    /* NULL out-pointers, NULL inputs. */
    CHECK_RC(smpp_receive_buffer(ESME, NULL, &len), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_receive_buffer(ESME, &room, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_transmit(ESME, NULL, &len), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_poll_event(ESME, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_poll_timeout(ESME, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_session_counters(ESME, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_paused_until(ESME, 0, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_next_handle(ESME, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_bind(ESME, 0, SMPP_BIND_TRANSCEIVER, NULL), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_submit(ESME, 0, NULL, &u), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_handle_input(ESME, 0, NULL, 5), SMPP_ERR_NULL_POINTER);
    CHECK_RC(smpp_handle_input(ESME, 0, NULL, 0), 0);
    CHECK_RC(smpp_poll_transmit(ESME, NULL, 5), SMPP_ERR_NULL_POINTER);
    sm.short_message = NULL;
    sm.short_message_len = 3;
    CHECK_RC(smpp_submit(ESME, 0, &sm, &u), SMPP_ERR_NULL_POINTER);
    sm.short_message_len = 0;

    /* Out-of-range enumerations and lengths. */
    CHECK_RC(smpp_bind(ESME, 0, SMPP_BIND_NONE, &bp), SMPP_ERR_BAD_ARGUMENT);
    CHECK_RC(smpp_bind(ESME, 0, 77, &bp), SMPP_ERR_BAD_ARGUMENT);
    CHECK_OK(smpp_receive_buffer(ESME, &room, &len));
    CHECK(room != NULL && len == sizeof P.esme.rx);
    CHECK_RC(smpp_commit(ESME, 0, len + 1), SMPP_ERR_BAD_ARGUMENT);
    CHECK_RC(smpp_transmitted(ESME, 1), SMPP_ERR_BAD_ARGUMENT);
    CHECK_OK(smpp_transmit(ESME, &data, &len));
    CHECK(data == NULL && len == 0);
    /* Arguments pointing into the session's own buffers. */
    CHECK_RC(smpp_handle_input(ESME, 0, P.esme.rx + 10, 20), SMPP_ERR_BAD_ARGUMENT);
    CHECK_RC(smpp_handle_input(ESME, 0, P.esme.tx, 20), SMPP_ERR_BAD_ARGUMENT);
    CHECK_RC(smpp_poll_transmit(ESME, P.esme.rx, 20), SMPP_ERR_BAD_ARGUMENT);
    /* Strings without a NUL within any SMPP field's reach, and fields too long to encode. */
    bp.system_id = unterminated; /* a NUL-terminated string longer than any field */
    unterminated[sizeof unterminated - 1] = 0;
    CHECK_RC(smpp_bind(ESME, 0, SMPP_BIND_TRANSCEIVER, &bp), SMPP_ERR_BAD_ARGUMENT);
    bp.system_id = "a-system-id-longer-than-15";
    CHECK_RC(smpp_bind(ESME, 0, SMPP_BIND_TRANSCEIVER, &bp), SMPP_ERR_ENCODE);
    bp.system_id = "panel";
    /* Commands in the wrong state or role. */
    CHECK_RC(smpp_submit(ESME, 0, &sm, &u), SMPP_ERR_INVALID_STATE);
    CHECK_RC(smpp_unbind(ESME, 0), SMPP_ERR_INVALID_STATE);
    CHECK_RC(smpp_bind(SMSC, 0, SMPP_BIND_TRANSCEIVER, &bp), SMPP_ERR_INVALID_STATE);
    CHECK_RC(smpp_accept_bind(SMSC, 0, 12, "SMSC"), SMPP_ERR_UNKNOWN_TOKEN);
    CHECK_RC(smpp_accept_bind(SMSC, 0, 12, "\xFF"), SMPP_ERR_BAD_ARGUMENT);
    /* Nothing of that changed the sessions: they still bind. */
    CHECK_RC(smpp_state(ESME, NULL), (int32_t)SMPP_STATE_OPEN);
    CHECK(drain_events(ESME) == 0);
    pair_deinit(&P);
    fresh(0);
    pair_init(&P, NULL, NULL);
    bind_pair(&P);
    pair_deinit(&P);
}

/* ---- runner -------------------------------------------------------------------------------- */

typedef struct test_case {
    const char *name;
    void (*run)(void);
} test_case;

static const test_case TESTS[] = {
    {"versions_and_sizes", test_versions_and_sizes},
    {"init_checks_its_arguments", test_init_checks_its_arguments},
    {"error_texts", test_error_texts},
    {"bind_zero_copy", test_bind_zero_copy},
    {"bind_copying", test_bind_copying},
    {"rejected_bind", test_rejected_bind},
    {"long_ucs2_text_with_emoji_and_receipts_zero_copy", test_long_text_zero_copy},
    {"long_ucs2_text_with_emoji_and_receipts_copying", test_long_text_copying},
    {"text_options", test_text_options},
    {"mobile_originated_message_with_manual_ack", test_mobile_originated_message_with_manual_ack},
    {"response_timeout_and_late_response", test_response_timeout_and_late_response},
    {"keepalive_and_dead_link", test_keepalive_and_dead_link},
    {"bind_timeout", test_bind_timeout},
    {"full_window_and_transmit_buffer", test_full_window_and_transmit_buffer},
    {"full_receive_buffer", test_full_receive_buffer},
    {"unbind_and_connection_lost", test_unbind_and_connection_lost},
    {"throttling", test_throttling},
    {"send_frame_and_handles", test_send_frame_and_handles},
    {"invalid_command_length_closes", test_invalid_command_length_closes},
    {"peer_garbage", test_peer_garbage},
    {"null_and_bad_arguments", test_null_and_bad_arguments},
};

int main(void) {
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof TESTS / sizeof TESTS[0]; i++) {
        int before = harness_failures;
        TESTS[i].run();
        if (harness_failures == before) {
            printf("ok   %s\n", TESTS[i].name);
            passed++;
        } else {
            printf("FAIL %s\n", TESTS[i].name);
            failed++;
        }
    }
#ifdef SMPP_TEST_QEMU
    {
        extern unsigned long stack_untouched(void), stack_size(void);
        printf("  stack: %lu of %lu octets used at most\n", stack_size() - stack_untouched(), stack_size());
    }
#endif
    printf("smpp C API: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
