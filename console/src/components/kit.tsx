/** Pieces every view uses: an error in words, a write with its Idempotency-Key, a table's CSV export. */
import { useRef } from "react";
import { Alert, Button } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient, type UseMutationResult } from "@tanstack/react-query";
import { stringify } from "csv-stringify/browser/esm/sync";
import { useTranslation } from "react-i18next";

import { spreadsheetSafe } from "../../../src/csv";
import { ApiError, idempotencyKey } from "../api/client";
import { describeError } from "../api/problem";

/** An error, in words, as an alert (nothing when there is none). */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title ?? describeError(t, error)}
      description={title === undefined ? undefined : describeError(t, error)}
      style={{ marginBottom: 16 }}
    />
  );
}

/**
 * A write: `send(variables, key)` is called with one Idempotency-Key per intended write, kept while its outcome is
 * unknown, so a retry after a lost answer is answered from the service's record instead of sending again. Every query is
 * refreshed after it (the stream refreshes them again once the read model has indexed it).
 */
export function useWrite<V, R>(
  send: (variables: V, key: string) => Promise<R>,
): UseMutationResult<R, Error, V> & {
  /** Forget the key: the next submit is a new write (call when a dialog opens afresh). */
  fresh: () => void;
} {
  const queryClient = useQueryClient();
  const key = useRef(idempotencyKey());
  const mutation = useMutation<R, Error, V>({
    mutationFn: (variables) => send(variables, key.current),
    onSuccess: async () => {
      key.current = idempotencyKey();
      await queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "me" });
    },
    // A refusal is the key's final answer (the service keeps it): the next submit, corrected or after the cause was
    // fixed, is a new write. The key is kept only when the answer may still change: no answer (the network), the
    // write still in flight (409), too many requests (429), or the service's own failure (5xx: partly sent,
    // interrupted), where the same key tells what became of it.
    onError: (err) => {
      const status = err instanceof ApiError ? err.problem.status : 0;
      if (status >= 400 && status < 500 && status !== 409 && status !== 429) key.current = idempotencyKey();
    },
  });
  return Object.assign(mutation, {
    fresh: () => {
      key.current = idempotencyKey();
      mutation.reset();
    },
  });
}

/** Downloads `rows` as a CSV file, with the column titles given (csv-stringify, as the service's own CSV). */
export function CsvExportButton<T>(props: {
  rows: readonly T[];
  columns: readonly { title: string; value: (row: T) => string | number | boolean | null | undefined }[];
  filename: string;
}) {
  const { t } = useTranslation();
  const download = () => {
    const text = stringify([
      props.columns.map((c) => c.title),
      // A cell a spreadsheet would run as a formula is written as text, as the service's own CSV answers do.
      ...props.rows.map((r) => props.columns.map((c) => spreadsheetSafe(c.value(r)))),
    ]);
    saveFile(props.filename, text, "text/csv;charset=utf-8");
  };
  return (
    <Button icon={<DownloadOutlined />} onClick={download} disabled={props.rows.length === 0}>
      {t("exportCsv")}
    </Button>
  );
}

/** Offers `text` as a download named `filename`. */
export function saveFile(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
