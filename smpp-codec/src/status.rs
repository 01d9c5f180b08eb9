//! `command_status` values of SMPP 3.4 and 5.0 (SMPP-REFERENCE §4).

open_enum! {
    /// The `command_status` header field: [`CommandStatus::OK`], or why a request failed.
    ///
    /// Open: unknown values (vendor codes 0x400–0x4FF and the like) are kept as their number
    /// ([`CommandStatus::from_raw`], [`CommandStatus::is_known`]).
    /// `Display` gives the `ESME_R*` name, or the value in hex.
    pub enum CommandStatus: u32 {
        OK = 0x00, "ESME_ROK", "No error.";
        INVALID_MESSAGE_LENGTH = 0x01, "ESME_RINVMSGLEN", "Message length is invalid.";
        INVALID_COMMAND_LENGTH = 0x02, "ESME_RINVCMDLEN", "Command length is invalid.";
        INVALID_COMMAND_ID = 0x03, "ESME_RINVCMDID", "Command id is invalid or not supported.";
        INVALID_BIND_STATUS = 0x04, "ESME_RINVBNDSTS", "Incorrect bind status for this command.";
        ALREADY_BOUND = 0x05, "ESME_RALYBND", "The ESME is already bound.";
        INVALID_PRIORITY_FLAG = 0x06, "ESME_RINVPRTFLG", "Invalid priority_flag.";
        INVALID_REGISTERED_DELIVERY_FLAG = 0x07, "ESME_RINVREGDLVFLG", "Invalid registered_delivery flag.";
        SYSTEM_ERROR = 0x08, "ESME_RSYSERR", "System error in the SMSC; retry later.";
        INVALID_SOURCE_ADDRESS = 0x0A, "ESME_RINVSRCADR", "Invalid source address.";
        INVALID_DESTINATION_ADDRESS = 0x0B, "ESME_RINVDSTADR", "Invalid destination address.";
        INVALID_MESSAGE_ID = 0x0C, "ESME_RINVMSGID", "Invalid message_id.";
        BIND_FAILED = 0x0D, "ESME_RBINDFAIL", "Bind failed.";
        INVALID_PASSWORD = 0x0E, "ESME_RINVPASWD", "Invalid password.";
        INVALID_SYSTEM_ID = 0x0F, "ESME_RINVSYSID", "Invalid system_id.";
        CANCEL_FAILED = 0x11, "ESME_RCANCELFAIL", "cancel_sm failed.";
        REPLACE_FAILED = 0x13, "ESME_RREPLACEFAIL", "replace_sm failed.";
        MESSAGE_QUEUE_FULL = 0x14, "ESME_RMSGQFUL", "Message queue full; retry later.";
        INVALID_SERVICE_TYPE = 0x15, "ESME_RINVSERTYP", "Invalid service_type.";
        /// Not an SMPP 3.4 value (it lies in the reserved block 0x16–0x32); used by OpenSMPP
        /// and some providers (EngageLab). Decoded, never emitted by a 3.4 server.
        INVALID_PARAMETER = 0x32, "ESME_RINVPARAM", "Invalid parameters (non-standard vendor code).";
        INVALID_NUMBER_OF_DESTINATIONS = 0x33, "ESME_RINVNUMDESTS", "Invalid number_of_dests.";
        INVALID_DISTRIBUTION_LIST_NAME = 0x34, "ESME_RINVDLNAME", "Invalid distribution list name.";
        INVALID_DEST_FLAG = 0x40, "ESME_RINVDESTFLAG", "Invalid dest_flag (submit_multi).";
        INVALID_SUBMIT_WITH_REPLACE = 0x42, "ESME_RINVSUBREP", "Invalid submit with replace request.";
        INVALID_ESM_CLASS = 0x43, "ESME_RINVESMCLASS", "Invalid esm_class.";
        CANNOT_SUBMIT_TO_DISTRIBUTION_LIST = 0x44, "ESME_RCNTSUBDL", "Cannot submit to a distribution list.";
        SUBMIT_FAILED = 0x45, "ESME_RSUBMITFAIL", "submit_sm, submit_multi or data_sm failed.";
        INVALID_SOURCE_TON = 0x48, "ESME_RINVSRCTON", "Invalid source address TON.";
        INVALID_SOURCE_NPI = 0x49, "ESME_RINVSRCNPI", "Invalid source address NPI.";
        INVALID_DESTINATION_TON = 0x50, "ESME_RINVDSTTON", "Invalid destination address TON.";
        INVALID_DESTINATION_NPI = 0x51, "ESME_RINVDSTNPI", "Invalid destination address NPI.";
        INVALID_SYSTEM_TYPE = 0x53, "ESME_RINVSYSTYP", "Invalid system_type.";
        INVALID_REPLACE_IF_PRESENT_FLAG = 0x54, "ESME_RINVREPFLAG", "Invalid replace_if_present_flag.";
        INVALID_NUMBER_OF_MESSAGES = 0x55, "ESME_RINVNUMMSGS", "Invalid number of messages.";
        THROTTLED = 0x58, "ESME_RTHROTTLED", "Throttled: the rate limit was exceeded; retry later.";
        INVALID_SCHEDULED_DELIVERY_TIME = 0x61, "ESME_RINVSCHED", "Invalid schedule_delivery_time.";
        INVALID_VALIDITY_PERIOD = 0x62, "ESME_RINVEXPIRY", "Invalid validity_period.";
        INVALID_DEFAULT_MESSAGE_ID = 0x63, "ESME_RINVDFTMSGID", "Predefined message invalid or not found.";
        RECEIVER_TEMPORARY_ERROR = 0x64, "ESME_RX_T_APPN", "Receiver temporary application error; redeliver later.";
        RECEIVER_PERMANENT_ERROR = 0x65, "ESME_RX_P_APPN", "Receiver permanent application error; do not retry.";
        RECEIVER_REJECTED = 0x66, "ESME_RX_R_APPN", "Receiver rejects the message.";
        QUERY_FAILED = 0x67, "ESME_RQUERYFAIL", "query_sm failed.";
        INVALID_TLV_STREAM = 0xC0, "ESME_RINVTLVSTREAM", "Error in the TLV stream (3.4: ESME_RINVOPTPARSTREAM).";
        TLV_NOT_ALLOWED = 0xC1, "ESME_RTLVNOTALLWD", "TLV not allowed (3.4: ESME_ROPTPARNOTALLWD).";
        INVALID_TLV_LENGTH = 0xC2, "ESME_RINVTLVLEN", "Invalid TLV length (3.4: ESME_RINVPARLEN).";
        MISSING_TLV = 0xC3, "ESME_RMISSINGTLV", "Expected TLV missing (3.4: ESME_RMISSINGOPTPARAM).";
        INVALID_TLV_VALUE = 0xC4, "ESME_RINVTLVVAL", "Invalid TLV value (3.4: ESME_RINVOPTPARAMVAL).";
        DELIVERY_FAILURE = 0xFE, "ESME_RDELIVERYFAILURE", "Transaction delivery failure (data_sm_resp).";
        UNKNOWN_ERROR = 0xFF, "ESME_RUNKNOWNERR", "Unknown error.";
        SERVICE_TYPE_UNAUTHORIZED = 0x100, "ESME_RSERTYPUNAUTH", "Not authorised to use this service_type (5.0).";
        PROHIBITED = 0x101, "ESME_RPROHIBITED", "Operation prohibited (5.0).";
        SERVICE_TYPE_UNAVAILABLE = 0x102, "ESME_RSERTYPUNAVAIL", "service_type unavailable (5.0).";
        SERVICE_TYPE_DENIED = 0x103, "ESME_RSERTYPDENIED", "service_type denied (5.0).";
        INVALID_DATA_CODING = 0x104, "ESME_RINVDCS", "Invalid data coding scheme (5.0).";
        INVALID_SOURCE_SUBUNIT = 0x105, "ESME_RINVSRCADDRSUBUNIT", "Invalid source address subunit (5.0).";
        INVALID_DESTINATION_SUBUNIT = 0x106, "ESME_RINVDSTADDRSUBUNIT", "Invalid destination address subunit (5.0).";
        INVALID_BROADCAST_FREQUENCY_INTERVAL = 0x107, "ESME_RINVBCASTFREQINT", "Invalid broadcast frequency interval (5.0).";
        INVALID_BROADCAST_ALIAS_NAME = 0x108, "ESME_RINVBCASTALIAS_NAME", "Invalid broadcast alias name (5.0).";
        INVALID_BROADCAST_AREA_FORMAT = 0x109, "ESME_RINVBCASTAREAFMT", "Invalid broadcast area format (5.0).";
        INVALID_NUMBER_OF_BROADCAST_AREAS = 0x10A, "ESME_RINVNUMBCAST_AREAS", "Invalid number of broadcast areas (5.0).";
        INVALID_BROADCAST_CONTENT_TYPE = 0x10B, "ESME_RINVBCASTCNTTYPE", "Invalid broadcast content type (5.0).";
        INVALID_BROADCAST_MESSAGE_CLASS = 0x10C, "ESME_RINVBCASTMSGCLASS", "Invalid broadcast message class (5.0).";
        BROADCAST_FAILED = 0x10D, "ESME_RBCASTFAIL", "broadcast_sm failed (5.0).";
        BROADCAST_QUERY_FAILED = 0x10E, "ESME_RBCASTQUERYFAIL", "query_broadcast_sm failed (5.0).";
        BROADCAST_CANCEL_FAILED = 0x10F, "ESME_RBCASTCANCELFAIL", "cancel_broadcast_sm failed (5.0).";
        INVALID_BROADCAST_REPEAT = 0x110, "ESME_RINVBCAST_REP", "Invalid number of repeated broadcasts (5.0).";
        INVALID_BROADCAST_SERVICE_GROUP = 0x111, "ESME_RINVBCASTSRVGRP", "Invalid broadcast service group (5.0).";
        INVALID_BROADCAST_CHANNEL_INDICATOR = 0x112, "ESME_RINVBCASTCHANIND", "Invalid broadcast channel indicator (5.0).";
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
        CommandStatus::OK
    }
}
