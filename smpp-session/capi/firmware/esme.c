/*
 * A small alarm-panel firmware for a Cortex-M4F (QEMU mps2-an386) that uses smpp.h the way a
 * product would: bind, send an alarm text (smpp_submit_text), wait for its delivery receipt,
 * keep the link alive with enquire_link, unbind. Its "network" is a scripted SMSC in this file
 * that answers each PDU the ESME sends, and its clock jumps to the session's next deadline when
 * there is nothing else to do, so the whole exchange runs in a moment under QEMU (exit code 0
 * when every step happened).
 *
 * Built twice by measure.sh: as it is, and with -DBASELINE, which keeps the same start-up,
 * network, clock and loop but no SMPP; the difference in flash is what the library costs.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef BASELINE
#include "smpp.h"
#endif

/* ---- start-up and exit (semihosting) ---------------------------------------------------- */

extern uint32_t __bss_start__, __bss_end__, __stack_top__, __stack_limit__;
int main(void);

#define STACK_PAINT 0xC0DEC0DEu

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

__attribute__((noreturn)) static void finish(int code) {
    const uint32_t block[2] = {0x20026u, (uint32_t)code};
    semihost(0x20, block);
    for (;;) {
    }
}

static void say(const char *s) { semihost(0x04, s); }

__attribute__((noreturn)) void Reset_Handler(void);
__attribute__((noreturn)) void Reset_Handler(void) {
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    for (uint32_t *p = &__bss_start__; p < &__bss_end__; p++) {
        *p = 0;
    }
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = &__stack_limit__; (uintptr_t)p < sp - 64; p++) {
        *p = STACK_PAINT;
    }
    finish(main());
}

__attribute__((noreturn)) static void fault(void) {
    say("fault\n");
    finish(70);
}

typedef union vector {
    uint32_t *stack;
    void (*handler)(void);
} vector;

__attribute__((section(".vectors"), used)) const vector vectors[16] = {
    {.stack = &__stack_top__}, {.handler = Reset_Handler}, {.handler = fault}, {.handler = fault},
    {.handler = fault},        {.handler = fault},         {.handler = fault}, {.handler = 0},
    {.handler = 0},            {.handler = 0},             {.handler = 0},     {.handler = fault},
    {.handler = fault},        {.handler = 0},             {.handler = fault}, {.handler = fault},
};

/* The C library's abort(), which the library's panic handler calls. */
void abort(void) {
    say("abort\n");
    finish(71);
}

static unsigned long stack_used(void) {
    const uint32_t *p = &__stack_limit__;
    while (p < &__stack_top__ && *p == STACK_PAINT) {
        p++;
    }
    return (unsigned long)((const uint8_t *)&__stack_top__ - (const uint8_t *)p);
}

static void say_number(const char *label, unsigned long n) {
    char buf[48];
    size_t i = strlen(label);
    char digits[12];
    int k = 0;
    memcpy(buf, label, i);
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (k) {
        buf[i++] = digits[--k];
    }
    buf[i++] = '\n';
    buf[i] = 0;
    say(buf);
}

/* ---- the clock and the network: a scripted SMSC ------------------------------------------- */

static uint64_t clock_now = 1000;

static uint8_t from_smsc[512];
static size_t from_smsc_len;
static uint8_t to_smsc[512];
static size_t to_smsc_len;
static unsigned smsc_seen[8]; /* 0 bind, 1 submit, 2 deliver_sm_resp, 3 enquire_link, 4 unbind */

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void smsc_send(uint32_t id, uint32_t seq, const void *body, size_t body_len) {
    uint8_t *p = from_smsc + from_smsc_len;
    if (from_smsc_len + 16 + body_len > sizeof from_smsc) {
        return;
    }
    put32(p, (uint32_t)(16 + body_len));
    put32(p + 4, id);
    put32(p + 8, 0);
    put32(p + 12, seq);
    memcpy(p + 16, body, body_len);
    from_smsc_len += 16 + body_len;
}

/* The SMSC's side: answers every whole PDU the ESME wrote. */
static void smsc_run(void) {
    static const uint8_t receipt[] = "\0" "\1\1" "34600000000\0" "\5\0" "Alarm\0"
                                     "\4" "\0\0" "\0\0" "\0\0\0\0" "\x26"
                                     "id:ab12 sub:001 dlvrd:001 stat:DELIVRD";
    while (to_smsc_len >= 16 && get32(to_smsc) <= to_smsc_len) {
        uint32_t len = get32(to_smsc), id = get32(to_smsc + 4), seq = get32(to_smsc + 12);
        switch (id) {
        case 0x00000009: /* bind_transceiver */
            smsc_seen[0]++;
            smsc_send(0x80000009, seq, "SMSC", 5);
            break;
        case 0x00000004: /* submit_sm */
            smsc_seen[1]++;
            smsc_send(0x80000004, seq, "ab12", 5);
            smsc_send(0x00000005, 7, receipt, sizeof receipt - 1);
            break;
        case 0x80000005: /* deliver_sm_resp */
            smsc_seen[2]++;
            break;
        case 0x00000015: /* enquire_link */
            smsc_seen[3]++;
            smsc_send(0x80000015, seq, NULL, 0);
            break;
        case 0x00000006: /* unbind */
            smsc_seen[4]++;
            smsc_send(0x80000006, seq, NULL, 0);
            break;
        default:
            smsc_seen[5]++;
            break;
        }
        if (len < 16 || len > to_smsc_len) {
            len = (uint32_t)to_smsc_len;
        }
        memmove(to_smsc, to_smsc + len, to_smsc_len - len);
        to_smsc_len -= len;
    }
}

/* What a socket's recv would do: up to `cap` octets from the SMSC, 0 when none. */
static size_t net_read(uint8_t *buf, size_t cap) {
    size_t n = from_smsc_len < cap ? from_smsc_len : cap;
    memcpy(buf, from_smsc, n);
    memmove(from_smsc, from_smsc + n, from_smsc_len - n);
    from_smsc_len -= n;
    return n;
}

/* What a socket's send would do: takes up to 100 octets at a time. */
static size_t net_write(const uint8_t *data, size_t len) {
    size_t n = len < 100 ? len : 100;
    if (n > sizeof to_smsc - to_smsc_len) {
        n = sizeof to_smsc - to_smsc_len;
    }
    memcpy(to_smsc + to_smsc_len, data, n);
    to_smsc_len += n;
    smsc_run();
    return n;
}

/* ---- the application -------------------------------------------------------------------- */

#ifndef BASELINE

static smpp_session session;
static uint8_t rx[512];
static uint8_t tx[1024];

static const char ALARM[] = "ALARM zone 3 (front door) opened at 02:14. Panel 0042, partition 1.";

int main(void) {
    smpp_event ev;
    smpp_buffers buffers = {.rx = rx, .rx_len = sizeof rx, .tx = tx, .tx_len = sizeof tx};
    smpp_bind_params bind = {.system_id = "panel", .password = "secret"};
    smpp_sm alarm = {
        .source_addr = "Alarm", .source_ton = 5,
        .dest_addr = "34600000000", .dest_ton = 1, .dest_npi = 1,
        .registered_delivery = SMPP_REGISTERED_DELIVERY_RECEIPT,
    };
    uint32_t message = 0;
    int delivered = 0, accepted = 0, keepalives = 0, closed = 0;

    if (smpp_esme_init(&session, NULL, &buffers, clock_now) != SMPP_OK ||
        smpp_bind(&session, clock_now, SMPP_BIND_TRANSCEIVER, &bind) != SMPP_OK) {
        return 1;
    }
    for (int round = 0; round < 200 && !closed; round++) {
        /* Receive straight into the session's buffer. */
        uint8_t *room;
        size_t room_len;
        if (smpp_receive_buffer(&session, &room, &room_len) == SMPP_OK && room_len > 0) {
            size_t n = net_read(room, room_len);
            smpp_commit(&session, clock_now, n);
        }
        while (smpp_poll_event(&session, &ev) > 0) {
            switch (ev.kind) {
            case SMPP_EVENT_BOUND:
                if (smpp_submit_text(&session, clock_now, &alarm, ALARM, sizeof ALARM - 1, NULL, &message) != SMPP_OK) {
                    return 2;
                }
                break;
            case SMPP_EVENT_MESSAGE_DONE:
                accepted = ev.handle == message && ev.accepted == ev.part_total;
                break;
            case SMPP_EVENT_RECEIPT:
                delivered = (ev.flags & SMPP_EVENT_HAS_STATE) && ev.message_state == 2;
                break;
            case SMPP_EVENT_CLOSED:
                closed = 1;
                break;
            default:
                break;
            }
        }
        /* Send what is queued. */
        const uint8_t *out;
        size_t out_len;
        while (smpp_transmit(&session, &out, &out_len) == SMPP_OK && out_len > 0) {
            smpp_transmitted(&session, net_write(out, out_len));
        }
        /* Nothing left to read: sleep until the next deadline (keepalive, timeouts). */
        if (from_smsc_len == 0) {
            uint64_t deadline;
            if (smpp_poll_timeout(&session, &deadline) > 0) {
                clock_now = deadline;
                smpp_handle_timeout(&session, clock_now);
            }
        }
        if (smsc_seen[3] > 0 && keepalives == 0 && delivered) {
            keepalives = 1;
            smpp_unbind(&session, clock_now);
        }
    }
    smpp_session_deinit(&session);
    say_number("stack used: ", stack_used());
    if (!(accepted && delivered && keepalives && closed && smsc_seen[0] == 1 && smsc_seen[1] == 1 &&
          smsc_seen[2] == 1 && smsc_seen[3] >= 1 && smsc_seen[4] == 1 && smsc_seen[5] == 0)) {
        say("esme firmware: an expected step did not happen\n");
        return 3;
    }
    say("esme firmware: bound, submitted, receipt, keepalive, unbound\n");
    return 0;
}

#else

/* The same plumbing without SMPP: the loop moves canned octets through the network. */
static const uint8_t HELLO[] = {0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1};

int main(void) {
    static uint8_t buf[512];
    size_t got = 0;
    for (int round = 0; round < 200; round++) {
        net_write(HELLO, sizeof HELLO);
        got += net_read(buf, sizeof buf);
        clock_now += 1000;
    }
    say_number("stack used: ", stack_used());
    return got == 200 * 16 && smsc_seen[3] == 200 ? 0 : 3;
}

#endif
