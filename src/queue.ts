/**
 * One submission queue per signing key: transactions are handed to the node one at a time, each after the previous
 * one was accepted, so concurrent callers never draw the same nonce. Only the hand-over is queued (gas estimate,
 * nonce, signature, broadcast); waiting for a receipt is not, so callers still wait for their blocks in parallel.
 * A transaction the node refuses at estimation (a revert) leaves the queue without spending a nonce.
 */
import {
  AbstractSigner,
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
  ) {
    super(inner.provider);
  }

  /** The same key and queue, reporting what it sends to `onSent`. */
  withListener(onSent: (tx: TransactionResponse) => void): QueuedSigner {
    return new QueuedSigner(this.inner, this.queue, onSent);
  }

  connect(provider: Provider | null): QueuedSigner {
    return new QueuedSigner(this.inner.connect(provider), this.queue, this.onSent);
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
      const sent = await this.inner.sendTransaction(tx);
      this.onSent?.(sent);
      return sent;
    });
  }
}
