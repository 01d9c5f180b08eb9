/*
 * Bare-metal start for QEMU's mps2-an386 (Cortex-M4F): a vector table, FPU on, .bss cleared,
 * newlib's stdio over semihosting, then main(); its result becomes QEMU's exit code
 * (SYS_EXIT_EXTENDED). A fault exits with 70 after naming it.
 */
#include <stdint.h>
#include <stdio.h>

extern uint32_t __bss_start__, __bss_end__, __stack_top__, __stack_limit__;
extern int main(void);
extern void initialise_monitor_handles(void);

#define STACK_PAINT 0xC0DEC0DEu

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

__attribute__((noreturn)) static void semihost_exit(int code) {
    const uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
    for (;;) {
    }
}

/* Octets of stack never touched since reset (the stack was painted before main). */
unsigned long stack_untouched(void) {
    const uint32_t *p = &__stack_limit__;
    while (p < &__stack_top__ && *p == STACK_PAINT) {
        p++;
    }
    return (unsigned long)((const uint8_t *)p - (const uint8_t *)&__stack_limit__);
}

unsigned long stack_size(void) {
    return (unsigned long)((const uint8_t *)&__stack_top__ - (const uint8_t *)&__stack_limit__);
}

__attribute__((noreturn)) void Reset_Handler(void) {
    /* Full access to CP10 and CP11: the FPU (code is built for the hard-float ABI). */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    for (uint32_t *p = &__bss_start__; p < &__bss_end__; p++) {
        *p = 0;
    }
    /* Paint the stack below the current frame. */
    {
        uintptr_t sp;
        __asm__ volatile("mov %0, sp" : "=r"(sp));
        for (uint32_t *p = &__stack_limit__; (uintptr_t)p < sp - 256; p++) {
            *p = STACK_PAINT;
        }
    }
    initialise_monitor_handles();
    int rc = main();
    fflush(stdout);
    semihost_exit(rc);
}

__attribute__((noreturn)) static void fault(void);

__attribute__((noreturn)) static void fault(void) {
    semihost(0x04 /* SYS_WRITE0 */, "fault: exception taken\n");
    semihost_exit(70);
}

void NMI_Handler(void) { fault(); }
void HardFault_Handler(void) { fault(); }
void MemManage_Handler(void) { fault(); }
void BusFault_Handler(void) { fault(); }
void UsageFault_Handler(void) { fault(); }

typedef union vector {
    uint32_t *stack;
    void (*handler)(void);
} vector;

__attribute__((section(".vectors"), used)) const vector vectors[16] = {
    {.stack = &__stack_top__},
    {.handler = Reset_Handler},
    {.handler = NMI_Handler},
    {.handler = HardFault_Handler},
    {.handler = MemManage_Handler},
    {.handler = BusFault_Handler},
    {.handler = UsageFault_Handler},
    {.handler = 0},
    {.handler = 0},
    {.handler = 0},
    {.handler = 0},
    {.handler = fault}, /* SVCall */
    {.handler = fault}, /* DebugMonitor */
    {.handler = 0},
    {.handler = fault}, /* PendSV */
    {.handler = fault}, /* SysTick */
};
