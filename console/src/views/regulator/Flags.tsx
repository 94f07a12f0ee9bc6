/** Multi-borrowing flags: per day as a chart, and as a table narrowed by lender, borrower key and dates. */
import { lazy, Suspense, useMemo, useState } from "react";
import { Alert, Button, Col, Form, Input, Row, Select, Spin } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { CsvExportButton, ErrorAlert } from "../../components/kit";
import { useSession } from "../../session";
import { filterFlags, flagsPerDay, short, utcTime, type FlagFilter, type FlagRow } from "./format";
import { BorrowerKeyLink, DeskTable, useMemberName } from "./parts";

// The chart library loads only when the chart is first drawn.
const FlagsChart = lazy(() => import("./FlagsChart"));

/** The most flags asked for at once: the newest this many in the dates chosen. */
export const FLAG_PAGE = 5_000;

export default function Flags(props: { onBorrower: (key: string) => void }) {
  const { t } = useTranslation(["regulator", "common"]);
  const { api } = useSession();
  const [filter, setFilter] = useState<FlagFilter>({});
  const flags = useQuery({
    queryKey: ["regulator", "flags"],
    queryFn: async () => {
      const call = api.GET("/v1/regulator/flags", { params: { query: { pageSize: FLAG_PAGE } } });
      const rows = (await unwrap(call)) as FlagRow[];
      return { rows, more: (await call).response.headers.get("link") !== null };
    },
  });
  const all = useMemo(() => flags.data?.rows ?? [], [flags.data]);
  const shown = useMemo(() => filterFlags(all, filter), [all, filter]);
  const series = useMemo(() => flagsPerDay(shown), [shown]);
  const lenders = useMemo(
    () => [...new Set(all.map((f) => f.lender).filter((l): l is number => l !== null))].sort((a, b) => a - b),
    [all],
  );
  const member = useMemberName();
  const [form] = Form.useForm();
  return (
    <section aria-labelledby="flags-heading">
      <h2 id="flags-heading">{t("flags.title")}</h2>
      <ErrorAlert error={flags.error} />
      {flags.data?.more === true && (
        <Alert type="info" showIcon title={t("flags.more", { count: FLAG_PAGE })} style={{ marginBottom: 16 }} />
      )}
      <Form
        form={form}
        layout="vertical"
        onValuesChange={(_, v: { lender?: number; borrowerKey?: string; from?: string; to?: string }) =>
          setFilter({
            lender: v.lender ?? undefined,
            borrowerKey: v.borrowerKey === "" ? undefined : v.borrowerKey,
            from: v.from === "" ? undefined : v.from,
            to: v.to === "" ? undefined : v.to,
          })
        }
      >
        <Row gutter={16} align="bottom">
          <Col xs={24} md={5}>
            <Form.Item label={t("flags.lender")} name="lender">
              <Select allowClear options={lenders.map((l) => ({ value: l, label: member(l) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item label={t("flags.borrowerKey")} name="borrowerKey">
              <Input placeholder="0x…" spellCheck={false} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t("flags.from")} name="from">
              <Input type="date" />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t("flags.to")} name="to">
              <Input type="date" />
            </Form.Item>
          </Col>
          <Col xs={24} md={3}>
            <Form.Item>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilter({});
                }}
              >
                {t("flags.clear")}
              </Button>
            </Form.Item>
          </Col>
        </Row>
      </Form>
      <h3>{t("flags.perDay")}</h3>
      {series.days.length === 0 ? (
        <p>{flags.isPending ? t("loading") : t("flags.none")}</p>
      ) : (
        <Suspense fallback={<Spin />}>
          <FlagsChart
            days={series.days}
            counts={series.counts}
            seriesName={t("flags.count")}
            label={t("flags.chartLabel", { count: shown.length, days: series.days.length })}
          />
        </Suspense>
      )}
      <div style={{ margin: "16px 0" }}>
        <CsvExportButton
          rows={shown}
          filename="multi-borrowing-flags.csv"
          columns={[
            { title: t("flags.at"), value: (f) => utcTime(f.at) },
            { title: t("flags.borrowerKey"), value: (f) => f.borrowerKey },
            { title: t("flags.lender"), value: (f) => f.lender },
            { title: t("flags.limit"), value: (f) => f.limit },
            { title: t("flags.value"), value: (f) => f.value },
            { title: t("flags.max"), value: (f) => f.max },
            { title: t("flags.loanId"), value: (f) => f.loanId },
            { title: t("txHash"), value: (f) => f.txHash },
          ]}
        />
      </div>
      <DeskTable<FlagRow>
        rowKey={(f) => `${f.txHash}-${f.loanId}-${f.limit}`}
        loading={flags.isPending}
        dataSource={shown}
        caption={t("flags.caption", { count: shown.length })}
        columns={[
          { title: t("flags.at"), dataIndex: "at", render: (at: number) => utcTime(at) },
          {
            title: t("flags.borrowerKey"),
            dataIndex: "borrowerKey",
            render: (key: string) => <BorrowerKeyLink value={key} onBorrower={props.onBorrower} />,
          },
          { title: t("flags.lender"), dataIndex: "lender", render: member },
          { title: t("flags.limit"), dataIndex: "limit", render: (l: string) => t(`limit.${l}`, l) },
          { title: t("flags.value"), dataIndex: "value" },
          { title: t("flags.max"), dataIndex: "max" },
          {
            title: t("flags.loanId"),
            dataIndex: "loanId",
            render: (id: string) => <code title={id}>{short(id)}</code>,
          },
        ]}
      />
    </section>
  );
}
