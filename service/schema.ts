/**
 * The read model's tables, as Kysely sees them. Amounts are decimal text (they are uint256 on the chain); block
 * numbers and times are integers. The migrations (`migrations.ts`) create exactly these.
 */
import type { ColumnType, Generated } from "kysely";

/** A block the indexer has seen: its hash is checked against the chain to detect a reorganisation. */
export interface BlockRow {
  chain_id: number;
  number: number;
  hash: string;
  parent_hash: string;
  timestamp: number;
}

/** One log of a deployed contract, decoded with the contract's ABI (`name` null when no event of the ABI matches). */
export interface EventRow {
  chain_id: number;
  block_hash: string;
  log_index: number;
  block_number: number;
  block_timestamp: number;
  tx_hash: string;
  tx_index: number;
  address: string;
  contract: string;
  name: string | null;
  signature: string | null;
  /** The decoded arguments as JSON (numbers as decimal strings), or the raw topics and data when undecoded. */
  args: string;
}

/** How far the indexer has gone on a chain. */
export interface CheckpointRow {
  chain_id: number;
  /** What is indexed: a hash of the followed contracts' addresses and the first block (`deploymentFingerprint`). */
  deployment: string;
  block_number: number;
  block_hash: string;
  updated_at: number;
}

/** An API client's token, stored as its SHA-256. */
export interface ApiTokenRow {
  id: Generated<number>;
  name: string;
  token_hash: string;
  /** Comma-separated API roles. */
  roles: string;
  created_at: number;
  revoked_at: number | null;
}

/** Every write request: who, what, when, and the transaction it sent. */
export interface AuditRow {
  id: Generated<number>;
  token_id: number;
  at: number;
  method: string;
  path: string;
  action: string;
  /** The answer's HTTP status; 0 while the write runs, and for good if the service stopped before answering. */
  status: number;
  /** The transactions the write signed, comma-separated, recorded as each is signed (before it is broadcast). */
  tx_hash: string | null;
}

/** A write's `Idempotency-Key`: a retry with the same key and body gets the first answer. */
export interface IdempotencyRow {
  token_id: number;
  key: string;
  /** HMAC-SHA256 of the method, path and body, keyed with a key derived from the consortium key. */
  request_hash: string;
  /** Null while the first request is still being served. */
  status: number | null;
  /** The answer, AES-256-GCM encrypted with a key derived from the consortium key (it may hold a record's salt). */
  response: string | null;
  created_at: number;
  /** The service run serving the request (a run's random id): a row another run left in flight was interrupted. */
  owner: string | null;
  /** The transactions signed for it so far, comma-separated, recorded before each is broadcast. */
  signed: string | null;
}

/** A run of the service that signs, with the lease it renews (one per operator key and database). */
export interface ServiceRunRow {
  run: string;
  /** The operator key's address, lower case. */
  signer: string;
  /** The machine and process running it: a run of this machine whose process is gone has stopped. */
  host: string;
  pid: number;
  started_at: number;
  seen_at: number;
}

/** A member of the consortium, as the member registry's events describe it. */
export interface MemberRow {
  chain_id: number;
  id: number;
  legal_id_hash: string;
  jurisdiction: string;
  roles: number;
  status: string;
  admin: string;
  /** The payout operator; null means the admin. */
  payout: string | null;
  admitted_block: number;
}

export interface MemberOperatorRow {
  chain_id: number;
  operator: string;
  member_id: number;
}

/** A settlement-token balance; `balance` in minor units, as decimal text. */
export interface BalanceRow {
  chain_id: number;
  currency: string;
  token: string;
  account: string;
  balance: string;
  frozen: number;
}

/** A loan as the credit registry's events describe it; amounts in minor units, as decimal text. */
export interface LoanRow {
  chain_id: number;
  id: string;
  borrower_key: string;
  lender: number;
  reporter: number;
  loan_ref: string;
  kind: string;
  status: string;
  principal: string;
  outstanding: string;
  origination_day: number;
  maturity_day: number;
  commitment: string;
  registered_block: number;
  registered_at: number;
  /** The disclosed APR in basis points, when the loan registered terms. */
  apr_bps: number | null;
  /** The instalment plan as JSON ({instalments, frequency, firstDueDay, instalment, finalInstalment}), if any. */
  plan: string | null;
  /** The delinquency bucket: 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: over 90 days past due. */
  bucket: ColumnType<number, number | undefined, number>;
  /** Days past due when the bucket last moved. */
  days_past_due: number | null;
  /** When the loan's negative record stopped counting (retention ended), Unix seconds. */
  negative_expired_at: number | null;
  /**
   * 1 while the loan is a retained negative record though no longer Defaulted: written off, or settled after a
   * default (by its lender or module), until NegativeRecordExpired or a Regulator's correction to another status.
   */
  negative_retained: ColumnType<number, number | undefined, number>;
  /** The LoanRegistered log's index in its block (null for loans indexed before it was kept). */
  registered_log: number | null;
}

export interface LoanFunderRow {
  chain_id: number;
  loan_id: string;
  member: number;
  share_bps: number;
}

/** A borrower's aggregates after each event that changed them. */
export interface ExposureHistoryRow {
  chain_id: number;
  borrower_key: string;
  block_number: number;
  log_index: number;
  at: number;
  tx_hash: string;
  active_loans: number;
  active_lenders: number;
  outstanding: string;
  defaults: number;
}

export interface InquiryRow {
  chain_id: number;
  block_number: number;
  log_index: number;
  at: number;
  tx_hash: string;
  lender: number;
  borrower_key: string;
  /** The purpose's name (ConsentPurpose), or the old free bytes32 purpose of inquiries before the consent book. */
  purpose: string;
  /** Inquiries before the consent book: the consent's hash; "" after it (see consent_id). */
  consent_hash: string;
  /** The consent book's consent the inquiry relied on; null for inquiries before the consent book. */
  consent_id: string | null;
  /** The ConsentPurpose code; null for inquiries before the consent book. */
  purpose_code: number | null;
}

/** A consent as the consent book records it; `revoked_*` set once the borrower withdrew it. */
export interface ConsentRow {
  chain_id: number;
  id: string;
  borrower_key: string;
  holder: number;
  document_hash: string;
  /** The ConsentPurpose name. */
  purpose: string;
  /** Unix seconds; in force strictly before it. */
  expires_at: number;
  /** The members besides the holder it covers, as a JSON array of member ids. */
  covered: string;
  recorded_block: number;
  /** The event's log index in its block: with the block, its place in chain order (migration 0016; null before). */
  recorded_log: number | null;
  recorded_at: number;
  tx_hash: string;
  revoked_at: number | null;
  revoked_by: number | null;
  revoke_reason: string | null;
}

export interface FlagRow {
  chain_id: number;
  block_number: number;
  log_index: number;
  at: number;
  tx_hash: string;
  borrower_key: string;
  loan_id: string;
  limit_name: string;
  value: string;
  max: string;
}

export interface LoanDisputeRow {
  chain_id: number;
  loan_id: string;
  opened_block: number;
  opened_log: number;
  opened_at: number;
  opened_by: number;
  reason: string;
  /** Open, Answered or Resolved. */
  state: string;
  response: string | null;
  outcome: string | null;
  resolved_by: number | null;
  resolved_at: number | null;
  /** The resolution's block and log index: its place in chain order (migration 0016). */
  resolved_block: number | null;
  resolved_log: number | null;
}

export interface CreditPolicyRow {
  chain_id: number;
  /** The policy as JSON. */
  policy: string;
  inquiry_window: number;
  block_number: number;
}

/** A module's pause: `unpaused_at` null while it lasts. */
export interface PauseRow {
  chain_id: number;
  contract: string;
  /** The Paused event: a module may be paused twice in one block (paused, lifted, paused). */
  block_number: number;
  log_index: number;
  paused_at: number;
  unpaused_at: number | null;
}

/** A receivable family; `maturity_active` is on the ledger's active clock (add the paused seconds for wall time). */
export interface FamilyRow {
  chain_id: number;
  family: number;
  root: string;
  debtor: number;
  token: string;
  maturity_active: number;
  pieces: number;
  face: string;
  paid: string;
  state: string;
  repaid_at: number;
  grace_seconds: number;
  penalty_rate_bps: number;
  requested_at: number;
}

/** A piece of a family; `parent` is the piece it was split from (null for the root). */
export interface PieceRow {
  chain_id: number;
  id: string;
  family: number;
  piece_index: number;
  parent: string | null;
  holder: number;
  face: string;
  tier: number;
  state: string;
  frozen: number;
  encumbered: number;
  recourse: number;
  defaulted: number;
  pledgee: number;
  financed_price?: string | null;
  financed_from?: number | null;
}

export interface InvoiceRow {
  chain_id: number;
  /** The debtor whose invoice it is: keys are unique per debtor (adversarial review 4, A3). */
  debtor: number;
  invoice_key: string;
  root: string;
}

export interface CreditLineRow {
  chain_id: number;
  debtor: number;
  token: string;
  financier: number;
  limit: string;
  used: string;
  frozen: number;
}

export interface ScfTermsRow {
  chain_id: number;
  grace_seconds: number;
  penalty_rate_bps: number;
}

export interface UploadJobRow {
  id: Generated<number>;
  token_id: number;
  status: string;
  lines: number;
  already_registered: number;
  pending: number;
  sent: number;
  tx_hashes: string;
  error: string | null;
  created_at: number;
  updated_at: number;
  /** The service run sending it (`service_runs.run`); null for a job with nothing to send. */
  run: string | null;
}

/** A webhook a token registered: its events after `cursor` are delivered in order, at least once. */
export interface WebhookRow {
  id: Generated<number>;
  token_id: number;
  url: string;
  /** The HMAC key its deliveries are signed with (shown once, at registration). */
  secret: string;
  /** Comma-separated notification kinds; null for every kind the token may see. */
  kinds: string | null;
  /** The last event delivered (`<block>:<log index>`, acknowledged with a 2xx); null before the first event. */
  cursor: string | null;
  created_at: number;
  revoked_at: number | null;
}

/** One delivery attempt of an event to a webhook: the receiver's status, or the error when none came. */
export interface WebhookDeliveryRow {
  id: Generated<number>;
  webhook_id: number;
  event_id: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: number;
}

/**
 * A trade order; every `*_active` time is on the settlement's active clock (add the paused seconds for wall time, 0
 * stays 0). `threshold_word` packs the k of each evidence kind less one, 4 bits per kind, as the contract does.
 */
export interface TradeOrderRow {
  chain_id: number;
  id: string;
  importer: number;
  exporter: number;
  importer_bank: number;
  exporter_bank: number;
  state: string;
  evidence_done: number;
  settled_tranches: number;
  tranche_count: number;
  importer_bank_fee_bps: number;
  exporter_bank_fee_bps: number;
  document_hash: string;
  pay_token: string;
  payout_token: string;
  amount: string;
  shipment_deadline_active: number;
  expiry_active: number;
  objection_window: number;
  delivered_at_active: number;
  dispute_deadline_active: number;
  financier: number;
  fx_provider: number;
  fx_min_rate: string;
  threshold_word: number;
  created_block: number;
  created_at: number;
  /** 1 once part of an assigned order was refunded or it lapsed, until its financier closes the advance. */
  advance_open: number;
  /** An arbiter's award (pay token, gross, decimal string) held for an FX quote; "0" when none. */
  held_award: string;
}

/** One tranche of an order: its share, the evidence kinds it needs (bitmask) and whether it was paid or refunded. */
export interface TradeTrancheRow {
  chain_id: number;
  order_id: string;
  tranche: number;
  share_bps: number;
  evidence: number;
  settled: number;
}

/** One oracle's attestation of one kind of evidence. */
export interface TradeEvidenceRow {
  chain_id: number;
  block_number: number;
  log_index: number;
  tx_hash: string;
  at: number;
  order_id: string;
  kind: string;
  oracle: string;
  document_hash: string;
}

/**
 * A payment (`TranchePaid`: tranche 0 to 7, or 254 for an arbiter's award) or a refund (tranche 255, `account` the
 * importer's bank's, `gross` and `payout` the amount).
 */
export interface TradePaymentRow {
  chain_id: number;
  block_number: number;
  log_index: number;
  tx_hash: string;
  at: number;
  order_id: string;
  tranche: number;
  account: string;
  uetr: string;
  end_to_end_id: string;
  gross: string;
  importer_bank_fee: string;
  exporter_bank_fee: string;
  payout: string;
  rate: string;
  fx_provider: string;
  quote_nonce: string;
}

/** What new orders take: the arbiter window and the threshold word. */
export interface TradeSettingsRow {
  chain_id: number;
  arbiter_window: number;
  threshold_word: number;
}

export interface Tables {
  upload_jobs: UploadJobRow;
  webhooks: WebhookRow;
  webhook_deliveries: WebhookDeliveryRow;
  trade_orders: TradeOrderRow;
  trade_tranches: TradeTrancheRow;
  trade_evidence: TradeEvidenceRow;
  trade_payments: TradePaymentRow;
  trade_settings: TradeSettingsRow;
  pauses: PauseRow;
  families: FamilyRow;
  pieces: PieceRow;
  invoices: InvoiceRow;
  credit_lines: CreditLineRow;
  scf_terms: ScfTermsRow;
  loans: LoanRow;
  loan_funders: LoanFunderRow;
  exposure_history: ExposureHistoryRow;
  inquiries: InquiryRow;
  consents: ConsentRow;
  flags: FlagRow;
  loan_disputes: LoanDisputeRow;
  credit_policy: CreditPolicyRow;
  members: MemberRow;
  member_operators: MemberOperatorRow;
  balances: BalanceRow;
  api_tokens: ApiTokenRow;
  audit_log: AuditRow;
  idempotency: IdempotencyRow;
  service_runs: ServiceRunRow;
  blocks: BlockRow;
  events: EventRow;
  checkpoints: CheckpointRow;
}
