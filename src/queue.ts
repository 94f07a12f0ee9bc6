/**
 * One submission queue per signing key: transactions are handed to the node one at a time, each after the previous
 * one was accepted, so concurrent callers never draw the same nonce. Only the hand-over is queued (gas estimate,
 * nonce, signature, broadcast); waiting for a receipt is not, so callers still wait for their blocks in parallel.
 * A transaction the node refuses at estimation (a revert) leaves the queue without spending a nonce.
 *
 * A signer that holds its key (an ethers `BaseWallet`) signs first and reports the transaction's hash to `onSigning`
 * before it broadcasts: a caller that records the hash knows what may have reached the node even when the node's
 * answer, or the process, is lost. Other signers (a node's unlocked account) report the hash once the node took it.
 */
import {
  AbstractSigner,
  BaseWallet,
  Transaction,
  type Provider,
  type Signer,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

export class SubmissionQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #depth = 0;

  /** Transactions waiting for their turn or being handed over now. */
  get depth(): number {
    return this.#depth;
  }

  /** Runs `submit` after every earlier submission has settled. */
  run<T>(submit: () => Promise<T>): Promise<T> {
    this.#depth++;
    const result = this.#tail.then(submit).finally(() => this.#depth--);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * A signer whose `sendTransaction` goes through a `SubmissionQueue`. Several `QueuedSigner`s may share one queue
 * (one per request, each with its own `onSent` to learn what that request sent).
 */
export class QueuedSigner extends AbstractSigner {
  constructor(
    readonly inner: Signer,
    readonly queue: SubmissionQueue,
    readonly onSent?: (tx: TransactionResponse) => void,
    readonly onSigning?: (hash: string) => Promise<void>,
  ) {
    super(inner.provider);
  }

  /**
   * The same key and queue, reporting what it sends to `onSent`, and each transaction's hash to `onSigning` before
   * it is broadcast (when the key is held here; see the module's note). A failing `onSigning` sends nothing.
   */
  withListener(onSent: (tx: TransactionResponse) => void, onSigning?: (hash: string) => Promise<void>): QueuedSigner {
    return new QueuedSigner(this.inner, this.queue, onSent, onSigning);
  }

  /** Whether a transaction's hash is known before it is broadcast (the key is held here, not by the node). */
  get signsLocally(): boolean {
    return this.inner instanceof BaseWallet;
  }

  connect(provider: Provider | null): QueuedSigner {
    return new QueuedSigner(this.inner.connect(provider), this.queue, this.onSent, this.onSigning);
  }

  getAddress(): Promise<string> {
    return this.inner.getAddress();
  }

  signTransaction(tx: TransactionRequest): Promise<string> {
    return this.inner.signTransaction(tx);
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    return this.inner.signMessage(message);
  }

  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.inner.signTypedData(domain, types, value);
  }

  sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    return this.queue.run(async () => {
      const inner = this.inner;
      let sent: TransactionResponse;
      if (inner instanceof BaseWallet && inner.provider !== null && this.onSigning !== undefined) {
        // As ethers' AbstractSigner.sendTransaction, with the hash reported between signing and broadcasting.
        const populated = await inner.populateTransaction(tx);
        delete populated.from;
        const signed = await inner.signTransaction(Transaction.from(populated));
        await this.onSigning(Transaction.from(signed).hash!);
        sent = await inner.provider.broadcastTransaction(signed);
      } else {
        sent = await inner.sendTransaction(tx);
        await this.onSigning?.(sent.hash);
      }
      this.onSent?.(sent);
      return sent;
    });
  }
}
