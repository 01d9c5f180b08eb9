//! The application's side: a [`Client`] handle (copy it into as many tasks as need it) and the
//! [`Ticket`] of each message it follows.

use core::future::poll_fn;
use core::task::Poll;

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::Timer;
use smpp_codec::pdu::Decoder;
use smpp_codec::{CommandStatus, Pdu};

use crate::state::{Phase, Request, RequestSlot, State};
use crate::types::{
    Failure, LinkState, LinkStatus, MessageOutcome, MessageReceipt, MoMessage, OwnedAddress, ReceiptError, Resubmit,
    Text,
};

/// Why a request was not queued. Nothing was sent.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The runner has stopped (unbound, attempts exhausted, or dropped).
    Stopped,
    /// The text (or the encoded PDU) is longer than the `TEXT` octets of the request slot.
    TooLong,
    /// An address is longer than [`ADDRESS_MAX`](crate::ADDRESS_MAX).
    Address,
    /// The PDU cannot be encoded.
    Codec(smpp_codec::Error),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Stopped => f.write_str("the SMPP runner has stopped"),
            Error::TooLong => f.write_str("the message is longer than the request slot"),
            Error::Address => f.write_str("an address is longer than 20 characters"),
            Error::Codec(e) => write!(f, "cannot encode the PDU: {e}"),
        }
    }
}

impl core::error::Error for Error {}

/// The application's handle to the runner: `Copy`, usable from any number of tasks (on other
/// executors too, with `M = CriticalSectionRawMutex`).
pub struct Client<'a, M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> {
    pub(crate) state: &'a State<M, T, TEXT, IDS, MO>,
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> Clone
    for Client<'_, M, T, TEXT, IDS, MO>
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> Copy
    for Client<'_, M, T, TEXT, IDS, MO>
{
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> core::fmt::Debug
    for Client<'_, M, T, TEXT, IDS, MO>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client").field("link", &self.link()).finish()
    }
}

impl<'a, M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>
    Client<'a, M, T, TEXT, IDS, MO>
{
    /// Queues a text and returns its ticket at once: the runner submits it as soon as the
    /// session is bound and its window has room for every part. Waits only for a free ticket
    /// and for the request slot (one request waits there at a time).
    ///
    /// # Errors
    /// [`Error::TooLong`], [`Error::Address`] (checked before waiting), [`Error::Stopped`].
    ///
    /// # Cancel safety
    /// Cancel-safe: until it returns nothing is queued. Dropping the returned [`Ticket`] before
    /// the runner took the request withdraws it (it is never sent).
    pub async fn submit_text(&self, text: &Text<'_>) -> Result<Ticket<'a, M, T, TEXT, IDS, MO>, Error> {
        if OwnedAddress::new(&text.from).is_none() || OwnedAddress::new(&text.to).is_none() {
            return Err(Error::Address);
        }
        if text.text.len() > TEXT {
            return Err(Error::TooLong);
        }
        self.post(text.receipt, |slot| {
            let mut body = heapless::String::new();
            let fits = body.push_str(text.text).is_ok();
            slot.request = Request::Text {
                text: body,
                encoding: text.encoding,
                concatenation: text.concatenation,
                receipt: text.receipt,
            };
            fits && slot.from.set(&text.from) && slot.to.set(&text.to)
        })
        .await
    }

    /// Queues a request PDU (submit_sm, data_sm, query_sm, submit_multi, ...), encoded here
    /// into the request slot; its outcome comes as a one-part message (with the response's
    /// message_id when it has one). A submit_sm or data_sm asking for a receipt is followed
    /// for it.
    ///
    /// # Errors
    /// [`Error::Codec`] for a PDU that cannot be encoded, [`Error::TooLong`], [`Error::Stopped`].
    ///
    /// # Cancel safety
    /// As [`submit_text`](Self::submit_text).
    pub async fn submit_pdu(&self, pdu: &Pdu<'_>) -> Result<Ticket<'a, M, T, TEXT, IDS, MO>, Error> {
        let len = pdu.encoded_len();
        if len > TEXT {
            return Err(Error::TooLong);
        }
        // Encoding errors (a field over its limit) are found before waiting.
        pdu.emit(0, CommandStatus::OK, &mut []).map(drop).or_else(|e| match e {
            smpp_codec::Error::BufferTooSmall { .. } => Ok(()),
            e => Err(Error::Codec(e)),
        })?;
        let receipt = match pdu {
            Pdu::SubmitSm(sm) => sm.registered_delivery.0 & 0x03 != 0,
            Pdu::DataSm(d) => d.registered_delivery.0 & 0x03 != 0,
            _ => false,
        };
        // The session decodes only what a submit_sm sender receives until it is told otherwise.
        let decoder: Option<Decoder> = match pdu {
            Pdu::QuerySm(_) | Pdu::SubmitMulti(_) => Some(Pdu::parse_esme_inbound),
            _ => None,
        };
        self.post(receipt, |slot| {
            let mut frame = heapless::Vec::new();
            let fits = frame.resize_default(len).is_ok() && pdu.emit(0, CommandStatus::OK, &mut frame) == Ok(len);
            slot.request = Request::Frame { frame, decoder };
            fits
        })
        .await
    }

    /// Sends a text and waits for its outcome, submitting it again after a retryable failure
    /// as the configuration's [`Resubmit`] policy allows (a message lost with the connection
    /// waits for the next bind). Returns the ticket with the final outcome: accepted, or the
    /// last failure. Keep it to wait for the receipt; drop it to forget the message.
    ///
    /// # Errors
    /// As [`submit_text`](Self::submit_text).
    ///
    /// # Cancel safety
    /// Dropping the future withdraws the message if the runner has not taken it yet; once
    /// taken it is at the SMSC (or on its way) and its outcome is discarded.
    pub async fn send_text(&self, text: &Text<'_>) -> Result<Ticket<'a, M, T, TEXT, IDS, MO>, Error> {
        let policy = self.resubmit();
        let mut attempt = 0u8;
        loop {
            let ticket = self.submit_text(text).await?;
            let failure = ticket.outcome().await.failure();
            let Some(f) = failure.filter(|f| f.is_retryable() && attempt < policy.attempts) else {
                return Ok(ticket);
            };
            attempt += 1;
            drop(ticket);
            match f {
                Failure::ConnectionLost => {
                    self.wait_bound().await?;
                }
                _ => Timer::after(policy.pause).await,
            }
        }
    }

    /// The next message from a handset. The runner keeps one; while it is not taken the SMSC is
    /// asked to deliver later ones again later (ESME_RX_T_APPN).
    ///
    /// # Cancel safety
    /// Cancel-safe: a message is taken only when the future completes.
    pub async fn receive_message(&self) -> MoMessage<MO> {
        poll_fn(|cx| {
            // Registered first: a message that comes meanwhile wakes us.
            self.state.with(|i| i.mo_waiters.register(cx.waker()));
            match self.try_receive_message() {
                Some(m) => Poll::Ready(m),
                None => Poll::Pending,
            }
        })
        .await
    }

    /// The next message from a handset, if one is waiting.
    pub fn try_receive_message(&self) -> Option<MoMessage<MO>> {
        let mut slot = self.state.mo.try_lock().ok()?;
        if !slot.present {
            return None;
        }
        slot.present = false;
        Some(slot.message.clone())
    }

    /// Asks the runner to unbind (after the requests in flight have their outcomes or the
    /// unbind timeout passes), close the connection and stop; waits until it has. A request
    /// still queued fails with [`Failure::Stopped`].
    ///
    /// # Cancel safety
    /// Cancel-safe: the stop is asked at the first poll and goes on if the future is dropped.
    pub async fn unbind(&self) {
        self.state.with(|i| {
            i.stop = true;
            i.posted = true;
            i.runner.wake();
        });
        let _ = self.wait_link(|l| l.state == LinkState::Stopped).await;
    }

    /// Waits until the link is bound.
    ///
    /// # Errors
    /// [`Error::Stopped`] when the runner stops first.
    ///
    /// # Cancel safety
    /// Cancel-safe.
    pub async fn wait_bound(&self) -> Result<LinkStatus, Error> {
        let status = self.wait_link(|l| matches!(l.state, LinkState::Bound(_) | LinkState::Stopped)).await;
        match status.state {
            LinkState::Stopped => Err(Error::Stopped),
            _ => Ok(status),
        }
    }

    /// Waits until `until` holds of the link status, and returns it.
    ///
    /// # Cancel safety
    /// Cancel-safe.
    pub async fn wait_link(&self, mut until: impl FnMut(&LinkStatus) -> bool) -> LinkStatus {
        poll_fn(|cx| {
            self.state.with(|i| {
                if until(&i.link) {
                    return Poll::Ready(i.link);
                }
                i.link_waiters.register(cx.waker());
                Poll::Pending
            })
        })
        .await
    }

    /// The link status now.
    pub fn link(&self) -> LinkStatus {
        self.state.with(|i| i.link)
    }

    /// Receipts that matched no message followed (its ticket was dropped, or it was never
    /// ours).
    pub fn unmatched_receipts(&self) -> u32 {
        self.state.with(|i| i.unmatched_receipts)
    }

    fn resubmit(&self) -> Resubmit {
        self.state.with(|i| i.resubmit)
    }

    /// Waits for a free ticket and an empty request slot, then takes both and fills the slot
    /// with `fill` (false: it does not fit).
    async fn post(
        &self,
        wants_receipt: bool,
        fill: impl Fn(&mut RequestSlot<TEXT>) -> bool,
    ) -> Result<Ticket<'a, M, T, TEXT, IDS, MO>, Error> {
        poll_fn(|cx| {
            // Registered first: room that frees up meanwhile wakes us.
            let free = self.state.with(|i| {
                i.room.register(cx.waker());
                match i.stop || i.stopped() {
                    true => Err(Error::Stopped),
                    false => Ok(i.tickets.iter().position(|t| t.phase == Phase::Free)),
                }
            });
            let index = match free {
                Err(e) => return Poll::Ready(Err(e)),
                Ok(None) => return Poll::Pending,
                Ok(Some(index)) => index,
            };
            let Ok(mut slot) = self.state.request.try_lock() else { return Poll::Pending };
            if slot.present {
                return Poll::Pending;
            }
            let generation = self.state.with(|i| {
                let t = i.tickets.get_mut(index)?;
                t.phase = Phase::Queued;
                t.wants_receipt = wants_receipt;
                t.outcome = MessageOutcome::new();
                t.error = None;
                Some(t.generation)
            });
            let Some(generation) = generation else { return Poll::Ready(Err(Error::Stopped)) };
            if !fill(&mut slot) {
                drop(slot);
                self.state.with(|i| i.release(index, generation));
                return Poll::Ready(Err(Error::TooLong));
            }
            slot.present = true;
            slot.ticket = index;
            slot.generation = generation;
            drop(slot);
            self.state.with(|i| {
                i.posted = true;
                i.runner.wake();
            });
            Poll::Ready(Ok(Ticket { state: self.state, index, generation }))
        })
        .await
    }
}

/// A message the application follows. Dropping it forgets the message: withdrawn if it was
/// still queued, its outcome and receipts discarded otherwise.
pub struct Ticket<'a, M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> {
    state: &'a State<M, T, TEXT, IDS, MO>,
    index: usize,
    generation: u16,
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> core::fmt::Debug
    for Ticket<'_, M, T, TEXT, IDS, MO>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ticket").field("index", &self.index).field("generation", &self.generation).finish()
    }
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize>
    Ticket<'_, M, T, TEXT, IDS, MO>
{
    /// Waits for the message's outcome at the SMSC: every part accepted (with its id), or the
    /// first failure.
    ///
    /// # Cancel safety
    /// Cancel-safe: the outcome stays in the ticket; await it again.
    pub async fn outcome(&self) -> MessageOutcome<IDS> {
        poll_fn(|cx| {
            self.state.with(|i| {
                let stopped = i.stopped();
                let Some(t) = i.ticket(self.index, self.generation) else {
                    let mut o = MessageOutcome::new();
                    o.fail(1, Failure::Stopped);
                    return Poll::Ready(o);
                };
                match t.phase {
                    Phase::Done => Poll::Ready(t.outcome.clone()),
                    _ if stopped => {
                        let mut o = t.outcome.clone();
                        o.fail(1, Failure::Stopped);
                        Poll::Ready(o)
                    }
                    _ => {
                        t.waker.register(cx.waker());
                        Poll::Pending
                    }
                }
            })
        })
        .await
    }

    /// The outcome, if it is known.
    pub fn try_outcome(&self) -> Option<MessageOutcome<IDS>> {
        self.state.with(|i| {
            i.ticket(self.index, self.generation).filter(|t| t.phase == Phase::Done).map(|t| t.outcome.clone())
        })
    }

    /// Waits until every accepted part has its final delivery receipt (they may come after a
    /// reconnection: the runner keeps the ids), and returns what they say. Wrap it in
    /// `embassy_time::with_timeout`: an SMSC may never send one.
    ///
    /// # Errors
    /// [`ReceiptError::NotRequested`], [`ReceiptError::NotAccepted`] (no part was accepted),
    /// [`ReceiptError::Stopped`].
    ///
    /// # Cancel safety
    /// Cancel-safe: receipts are recorded in the ticket whether or not anyone waits.
    pub async fn receipt(&self) -> Result<MessageReceipt, ReceiptError> {
        poll_fn(|cx| {
            self.state.with(|i| {
                let stopped = i.stopped();
                let Some(t) = i.ticket(self.index, self.generation) else {
                    return Poll::Ready(Err(ReceiptError::Stopped));
                };
                if !t.wants_receipt {
                    return Poll::Ready(Err(ReceiptError::NotRequested));
                }
                if t.phase == Phase::Done && t.outcome.ids.is_empty() {
                    return Poll::Ready(Err(ReceiptError::NotAccepted));
                }
                if t.phase == Phase::Done {
                    if let Some(r) = t.receipt() {
                        return Poll::Ready(Ok(r));
                    }
                }
                if stopped {
                    return Poll::Ready(Err(ReceiptError::Stopped));
                }
                t.waker.register(cx.waker());
                Poll::Pending
            })
        })
        .await
    }

    /// The receipt, if every part's has come.
    pub fn try_receipt(&self) -> Option<MessageReceipt> {
        self.state.with(|i| i.ticket(self.index, self.generation).filter(|t| t.phase == Phase::Done)?.receipt())
    }
}

impl<M: RawMutex, const T: usize, const TEXT: usize, const IDS: usize, const MO: usize> Drop
    for Ticket<'_, M, T, TEXT, IDS, MO>
{
    fn drop(&mut self) {
        self.state.release(self.index, self.generation);
    }
}
