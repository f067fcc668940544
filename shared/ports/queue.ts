// Port: a message queue with at-least-once delivery (SQS semantics: visibility timeout, receive count,
// FIFO message groups and deduplication ids, a dead-letter queue per queue).

export interface OutgoingMessage {
  body: string;
  /** FIFO queues: messages of one group are delivered in order, one in flight at a time. */
  groupId?: string;
  /** FIFO queues: a repeated id within the dedup window is dropped by the queue. */
  deduplicationId?: string;
  delaySeconds?: number;
  attributes?: Record<string, string>;
}

export interface ReceivedMessage {
  id: string;
  body: string;
  receiptHandle: string;
  /** 1 on first delivery. */
  receiveCount: number;
  /** FIFO queues: the message group. */
  groupId?: string;
  /** When the queue accepted the message (epoch ms), if it says: how long it waited is queue lag. */
  sentAt?: number;
  attributes: Record<string, string>;
}

export interface ReceiveOptions {
  maxMessages?: number;
  waitSeconds?: number;
  visibilitySeconds?: number;
}

export interface Queue {
  send(queue: string, message: OutgoingMessage): Promise<void>;
  receive(queue: string, opts?: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Done with it: remove from the queue. */
  ack(queue: string, receiptHandle: string): Promise<void>;
  /** Make it visible again after `delaySeconds` (retry with backoff). */
  retryLater(queue: string, receiptHandle: string, delaySeconds: number): Promise<void>;
}
