/*
 * A tiny test harness for the C API: checks that count failures and go on, and an ESME and an
 * SMSC session joined in memory under a virtual clock. Plain C11 with no allocation, so the
 * same tests build for the host (with sanitizers) and for a Cortex-M under QEMU.
 */
#ifndef SMPP_TEST_HARNESS_H
#define SMPP_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "smpp.h"

extern int harness_failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            printf("  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
            harness_failures++;                                                        \
        }                                                                              \
    } while (0)

/* Checks that `expr` returns `want`, printing both codes (and their texts) when not. */
#define CHECK_RC(expr, want)                                                           \
    do {                                                                               \
        int32_t rc_ = (expr);                                                          \
        int32_t want_ = (want);                                                        \
        if (rc_ != want_) {                                                            \
            printf("  %s:%d: %s returned %ld (%s), expected %ld (%s)\n", __FILE__,     \
                   __LINE__, #expr, (long)rc_, smpp_error_text(rc_), (long)want_,      \
                   smpp_error_text(want_));                                            \
            harness_failures++;                                                        \
        }                                                                              \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, SMPP_OK)

/* Whether `b` holds exactly the NUL-terminated `s`. */
int bytes_eq(smpp_bytes b, const char *s);

/* One end of the pair: its storage and buffers. */
typedef struct peer {
    smpp_session session;
    uint8_t rx[1024];
    uint8_t tx[2048];
    uint8_t store[1024];
} peer;

typedef struct pair {
    peer esme;
    peer smsc;
    uint64_t now;
    /* 0: zero-copy both ways (transmit + receive_buffer/commit); 1: copying (poll_transmit +
     * handle_input); the tests run with both. */
    int copying;
    /* The ESME's transmit buffer length (0: all of it). */
    size_t esme_tx_len;
} pair;

/* Starts both sessions at `now` with these configurations (NULL: defaults). */
void pair_init(pair *p, const smpp_config *esme, const smpp_config *smsc);
void pair_deinit(pair *p);

/* Moves every octet `from` has to send into `to` (as much as `to` takes now); returns how
 * many moved. */
size_t pump(pair *p, smpp_session *from, smpp_session *to);

/* Polls one event into `ev`, failing the test (and returning 0) unless it has kind `kind`. */
int expect_event(smpp_session *s, smpp_event *ev, uint32_t kind, const char *what);

/* Polls until none is left, returning how many there were. */
int drain_events(smpp_session *s);

/* Binds the ESME as a transceiver and has the SMSC accept it. */
void bind_pair(pair *p);

#endif
