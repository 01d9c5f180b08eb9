//! `command_status` values of SMPP 3.4 and 5.0 (SMPP-REFERENCE §4).

open_enum! {
    /// The `command_status` header field: `Ok`, or why a request failed.
    ///
    /// Open: unknown values (vendor codes 0x400–0x4FF and the like) are kept in `Other`.
    /// `Display` gives the `ESME_R*` name, or the value in hex.
    pub enum CommandStatus: u32 {
        Ok = 0x00, "ESME_ROK", "No error.";
        InvalidMessageLength = 0x01, "ESME_RINVMSGLEN", "Message length is invalid.";
        InvalidCommandLength = 0x02, "ESME_RINVCMDLEN", "Command length is invalid.";
        InvalidCommandId = 0x03, "ESME_RINVCMDID", "Command id is invalid or not supported.";
        InvalidBindStatus = 0x04, "ESME_RINVBNDSTS", "Incorrect bind status for this command.";
        AlreadyBound = 0x05, "ESME_RALYBND", "The ESME is already bound.";
        InvalidPriorityFlag = 0x06, "ESME_RINVPRTFLG", "Invalid priority_flag.";
        InvalidRegisteredDeliveryFlag = 0x07, "ESME_RINVREGDLVFLG", "Invalid registered_delivery flag.";
        SystemError = 0x08, "ESME_RSYSERR", "System error in the SMSC; retry later.";
        InvalidSourceAddress = 0x0A, "ESME_RINVSRCADR", "Invalid source address.";
        InvalidDestinationAddress = 0x0B, "ESME_RINVDSTADR", "Invalid destination address.";
        InvalidMessageId = 0x0C, "ESME_RINVMSGID", "Invalid message_id.";
        BindFailed = 0x0D, "ESME_RBINDFAIL", "Bind failed.";
        InvalidPassword = 0x0E, "ESME_RINVPASWD", "Invalid password.";
        InvalidSystemId = 0x0F, "ESME_RINVSYSID", "Invalid system_id.";
        CancelFailed = 0x11, "ESME_RCANCELFAIL", "cancel_sm failed.";
        ReplaceFailed = 0x13, "ESME_RREPLACEFAIL", "replace_sm failed.";
        MessageQueueFull = 0x14, "ESME_RMSGQFUL", "Message queue full; retry later.";
        InvalidServiceType = 0x15, "ESME_RINVSERTYP", "Invalid service_type.";
        /// Not an SMPP 3.4 value (it lies in the reserved block 0x16–0x32); used by OpenSMPP
        /// and some providers (EngageLab). Decoded, never emitted by a 3.4 server.
        InvalidParameter = 0x32, "ESME_RINVPARAM", "Invalid parameters (non-standard vendor code).";
        InvalidNumberOfDestinations = 0x33, "ESME_RINVNUMDESTS", "Invalid number_of_dests.";
        InvalidDistributionListName = 0x34, "ESME_RINVDLNAME", "Invalid distribution list name.";
        InvalidDestFlag = 0x40, "ESME_RINVDESTFLAG", "Invalid dest_flag (submit_multi).";
        InvalidSubmitWithReplace = 0x42, "ESME_RINVSUBREP", "Invalid submit with replace request.";
        InvalidEsmClass = 0x43, "ESME_RINVESMCLASS", "Invalid esm_class.";
        CannotSubmitToDistributionList = 0x44, "ESME_RCNTSUBDL", "Cannot submit to a distribution list.";
        SubmitFailed = 0x45, "ESME_RSUBMITFAIL", "submit_sm, submit_multi or data_sm failed.";
        InvalidSourceTon = 0x48, "ESME_RINVSRCTON", "Invalid source address TON.";
        InvalidSourceNpi = 0x49, "ESME_RINVSRCNPI", "Invalid source address NPI.";
        InvalidDestinationTon = 0x50, "ESME_RINVDSTTON", "Invalid destination address TON.";
        InvalidDestinationNpi = 0x51, "ESME_RINVDSTNPI", "Invalid destination address NPI.";
        InvalidSystemType = 0x53, "ESME_RINVSYSTYP", "Invalid system_type.";
        InvalidReplaceIfPresentFlag = 0x54, "ESME_RINVREPFLAG", "Invalid replace_if_present_flag.";
        InvalidNumberOfMessages = 0x55, "ESME_RINVNUMMSGS", "Invalid number of messages.";
        Throttled = 0x58, "ESME_RTHROTTLED", "Throttled: the rate limit was exceeded; retry later.";
        InvalidScheduledDeliveryTime = 0x61, "ESME_RINVSCHED", "Invalid schedule_delivery_time.";
        InvalidValidityPeriod = 0x62, "ESME_RINVEXPIRY", "Invalid validity_period.";
        InvalidDefaultMessageId = 0x63, "ESME_RINVDFTMSGID", "Predefined message invalid or not found.";
        ReceiverTemporaryError = 0x64, "ESME_RX_T_APPN", "Receiver temporary application error; redeliver later.";
        ReceiverPermanentError = 0x65, "ESME_RX_P_APPN", "Receiver permanent application error; do not retry.";
        ReceiverRejected = 0x66, "ESME_RX_R_APPN", "Receiver rejects the message.";
        QueryFailed = 0x67, "ESME_RQUERYFAIL", "query_sm failed.";
        InvalidTlvStream = 0xC0, "ESME_RINVTLVSTREAM", "Error in the TLV stream (3.4: ESME_RINVOPTPARSTREAM).";
        TlvNotAllowed = 0xC1, "ESME_RTLVNOTALLWD", "TLV not allowed (3.4: ESME_ROPTPARNOTALLWD).";
        InvalidTlvLength = 0xC2, "ESME_RINVTLVLEN", "Invalid TLV length (3.4: ESME_RINVPARLEN).";
        MissingTlv = 0xC3, "ESME_RMISSINGTLV", "Expected TLV missing (3.4: ESME_RMISSINGOPTPARAM).";
        InvalidTlvValue = 0xC4, "ESME_RINVTLVVAL", "Invalid TLV value (3.4: ESME_RINVOPTPARAMVAL).";
        DeliveryFailure = 0xFE, "ESME_RDELIVERYFAILURE", "Transaction delivery failure (data_sm_resp).";
        UnknownError = 0xFF, "ESME_RUNKNOWNERR", "Unknown error.";
        ServiceTypeUnauthorized = 0x100, "ESME_RSERTYPUNAUTH", "Not authorised to use this service_type (5.0).";
        Prohibited = 0x101, "ESME_RPROHIBITED", "Operation prohibited (5.0).";
        ServiceTypeUnavailable = 0x102, "ESME_RSERTYPUNAVAIL", "service_type unavailable (5.0).";
        ServiceTypeDenied = 0x103, "ESME_RSERTYPDENIED", "service_type denied (5.0).";
        InvalidDataCoding = 0x104, "ESME_RINVDCS", "Invalid data coding scheme (5.0).";
        InvalidSourceSubunit = 0x105, "ESME_RINVSRCADDRSUBUNIT", "Invalid source address subunit (5.0).";
        InvalidDestinationSubunit = 0x106, "ESME_RINVDSTADDRSUBUNIT", "Invalid destination address subunit (5.0).";
        InvalidBroadcastFrequencyInterval = 0x107, "ESME_RINVBCASTFREQINT", "Invalid broadcast frequency interval (5.0).";
        InvalidBroadcastAliasName = 0x108, "ESME_RINVBCASTALIAS_NAME", "Invalid broadcast alias name (5.0).";
        InvalidBroadcastAreaFormat = 0x109, "ESME_RINVBCASTAREAFMT", "Invalid broadcast area format (5.0).";
        InvalidNumberOfBroadcastAreas = 0x10A, "ESME_RINVNUMBCAST_AREAS", "Invalid number of broadcast areas (5.0).";
        InvalidBroadcastContentType = 0x10B, "ESME_RINVBCASTCNTTYPE", "Invalid broadcast content type (5.0).";
        InvalidBroadcastMessageClass = 0x10C, "ESME_RINVBCASTMSGCLASS", "Invalid broadcast message class (5.0).";
        BroadcastFailed = 0x10D, "ESME_RBCASTFAIL", "broadcast_sm failed (5.0).";
        BroadcastQueryFailed = 0x10E, "ESME_RBCASTQUERYFAIL", "query_broadcast_sm failed (5.0).";
        BroadcastCancelFailed = 0x10F, "ESME_RBCASTCANCELFAIL", "cancel_broadcast_sm failed (5.0).";
        InvalidBroadcastRepeat = 0x110, "ESME_RINVBCAST_REP", "Invalid number of repeated broadcasts (5.0).";
        InvalidBroadcastServiceGroup = 0x111, "ESME_RINVBCASTSRVGRP", "Invalid broadcast service group (5.0).";
        InvalidBroadcastChannelIndicator = 0x112, "ESME_RINVBCASTCHANIND", "Invalid broadcast channel indicator (5.0).";
    }
}

impl CommandStatus {
    /// Whether the failure is temporary: retry later with back-off (RMSGQFUL, RTHROTTLED,
    /// RX_T_APPN, RSYSERR, as Kannel and SMPP-REFERENCE §4 treat them).
    pub const fn is_transient(self) -> bool {
        matches!(self.raw(), 0x08 | 0x14 | 0x58 | 0x64 | 0x102)
    }

    /// Whether the status is `ESME_ROK`.
    pub const fn is_ok(self) -> bool {
        self.raw() == 0
    }

    /// Whether the status is a bind/session problem (ESME_RBINDFAIL, RINVPASWD, RINVSYSID,
    /// RINVSYSTYP): back off before binding again.
    pub const fn is_bind_failure(self) -> bool {
        matches!(self.raw(), 0x0D | 0x0E | 0x0F | 0x53)
    }
}

impl Default for CommandStatus {
    fn default() -> Self {
        CommandStatus::Ok
    }
}
