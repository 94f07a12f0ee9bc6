/**
 * Upload the nightly loan file: the browser reads it and posts it as text/csv. A file with bad lines comes back as
 * a problem naming each line, and nothing was sent; otherwise the job it started is followed until done.
 */
import { useState } from "react";
import { Alert, Button, Descriptions, Progress, Table, Upload } from "antd";
import { UploadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { ApiError, unwrap } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";
import { FlagList } from "./parts";

interface BadLine {
  line: number;
  detail: string;
}

/** The bad lines of a refused file (`/lines/<n>` pointers of the bad-file problem), or none. */
export function badLines(err: unknown): BadLine[] {
  if (!(err instanceof ApiError)) return [];
  return (err.problem.errors ?? []).flatMap((e) => {
    const m = /^\/lines\/(\d+)$/.exec(e.pointer);
    return m === null ? [] : [{ line: Number(m[1]), detail: e.detail }];
  });
}

export function UploadFile() {
  const { t } = useTranslation("credit");
  const { api } = useSession();
  const [fileName, setFileName] = useState<string>();
  const send = useWrite(async (text: string, key: string) => {
    const answer = await unwrap(
      api.POST("/v1/credit/uploads", {
        params: { header: { "idempotency-key": key } },
        body: text,
        bodySerializer: (b: string) => b,
        headers: { "content-type": "text/csv" },
      }),
    );
    return (answer.result as { id: number }).id;
  });
  const jobId = send.data;
  const job = useQuery({
    queryKey: ["credit", "upload", jobId],
    enabled: jobId !== undefined,
    queryFn: () => unwrap(api.GET("/v1/credit/uploads/{id}", { params: { path: { id: jobId! } } })),
    refetchInterval: (q) => (q.state.data === undefined || q.state.data.status === "running" ? 1_000 : false),
  });
  const bad = badLines(send.error);

  return (
    <section aria-labelledby="credit-upload">
      <h2 id="credit-upload">{t("upload.title")}</h2>
      <p>{t("upload.help")}</p>
      <Upload
        accept=".csv,text/csv"
        maxCount={1}
        showUploadList={false}
        beforeUpload={async (file) => {
          setFileName(file.name);
          send.fresh();
          send.mutate(await file.text());
          // The file is sent above, as text/csv: antd's own upload is not used.
          return false;
        }}
      >
        <Button icon={<UploadOutlined />} loading={send.isPending}>
          {t("upload.choose")}
        </Button>
      </Upload>
      {fileName !== undefined && <p>{t("upload.file", { name: fileName })}</p>}
      <div style={{ marginTop: 16 }}>
        {bad.length > 0 ? (
          <>
            <Alert type="error" showIcon role="alert" title={t("upload.badLines", { count: bad.length })} />
            <Table<BadLine>
              size="small"
              rowKey="line"
              pagination={false}
              caption={t("upload.badCaption")}
              dataSource={bad}
              style={{ marginTop: 16 }}
              columns={[
                { title: t("upload.line"), dataIndex: "line" },
                { title: t("upload.wrong"), dataIndex: "detail" },
              ]}
            />
          </>
        ) : (
          <ErrorAlert error={send.error} />
        )}
        <ErrorAlert error={job.error} />
        {job.data !== undefined && (
          <>
            <Alert
              type={job.data.status === "done" ? "success" : job.data.status === "running" ? "info" : "error"}
              showIcon
              role="status"
              title={t(`job.${job.data.status}`, { id: job.data.id })}
              description={job.data.error ?? undefined}
              style={{ marginBottom: 16 }}
            />
            <Progress
              percent={job.data.pending === 0 ? 100 : Math.floor((100 * job.data.sent) / job.data.pending)}
              aria-label={t("job.progress")}
              style={{ marginBottom: 16 }}
            />
            <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t("job.lines")}>{job.data.lines}</Descriptions.Item>
              <Descriptions.Item label={t("job.alreadyRegistered")}>{job.data.alreadyRegistered}</Descriptions.Item>
              <Descriptions.Item label={t("job.pending")}>{job.data.pending}</Descriptions.Item>
              <Descriptions.Item label={t("job.sent")}>{job.data.sent}</Descriptions.Item>
              <Descriptions.Item label={t("job.flagCount")}>{job.data.flags.length}</Descriptions.Item>
            </Descriptions>
            <FlagList flags={job.data.flags} />
          </>
        )}
      </div>
    </section>
  );
}
