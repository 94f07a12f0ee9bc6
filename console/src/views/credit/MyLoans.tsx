/** The loans this member reported (GET /v1/credit/loans), with repayment and status changes in dialogs. */
import { useState, type ReactNode } from "react";
import { Button, Form, Input, Modal, Select, Space, Table, Tag } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";
import { formatMajor } from "./parts";
import { STATUS_TARGETS, formatAprBps, isPositiveAmount } from "./rules";

type Loan = Schemas["LoanSummary"];
const LIVE = new Set(["Active", "Overdue", "Defaulted"]);

export function MyLoans() {
  const { t, i18n } = useTranslation("credit");
  const { api } = useSession();
  const loans = useQuery({
    queryKey: ["credit", "loans"], // JSON (the list also comes as CSV, which this asks not for).
    queryFn: async () => (await unwrap(api.GET("/v1/credit/loans"))) as Loan[],
  });
  const [repaying, setRepaying] = useState<Loan>();
  const [moving, setMoving] = useState<Loan>();

  return (
    <section aria-labelledby="credit-loans">
      <h2 id="credit-loans">{t("loans.title")}</h2>
      <ErrorAlert error={loans.error} />
      <Table<Loan>
        rowKey="id"
        size="small"
        loading={loans.isPending}
        dataSource={loans.data ?? []}
        caption={t("loans.caption")}
        columns={[
          { title: t("field.ref"), dataIndex: "ref" },
          {
            title: t("field.product"),
            dataIndex: "kind",
            render: (k: string) => t(`product.${k}`, { defaultValue: k }),
          },
          {
            title: t("loans.status"),
            dataIndex: "status",
            render: (s: string) => <Tag>{t(`status.${s}`, { defaultValue: s })}</Tag>,
          },
          { title: t("field.principal"), render: (_, l) => formatMajor(l.principal, l.currency, i18n.language) },
          { title: t("field.outstanding"), render: (_, l) => formatMajor(l.outstanding, l.currency, i18n.language) },
          {
            title: t("loans.apr"),
            render: (_, l) => (l.aprBps === null ? "—" : formatAprBps(l.aprBps, i18n.language)),
          },
          {
            title: t("loans.instalments"),
            render: (_, l) =>
              l.instalments === null
                ? "—"
                : l.daysPastDue !== null && l.daysPastDue > 0
                  ? t("loans.instalmentsLate", { count: l.instalments, dpd: l.daysPastDue })
                  : String(l.instalments),
          },
          { title: t("field.originated"), dataIndex: "originated" },
          { title: t("field.matures"), dataIndex: "matures" },
          {
            title: t("loans.actions"),
            render: (_, l) => (
              <Space>
                <Button size="small" disabled={!LIVE.has(l.status)} onClick={() => setRepaying(l)}>
                  {t("loans.repay")}
                </Button>
                <Button
                  size="small"
                  disabled={l.status === "Repaid" || l.status === "WrittenOff"}
                  onClick={() => setMoving(l)}
                >
                  {t("loans.changeStatus")}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {repaying !== undefined && <RepayDialog loan={repaying} onClose={() => setRepaying(undefined)} />}
      {moving !== undefined && <StatusDialog loan={moving} onClose={() => setMoving(undefined)} />}
    </section>
  );
}

/** A dialog that sends one write about `loan`: OK submits the form, a success closes it, a refusal stays shown. */
function LoanWriteDialog<V extends object>({
  loan,
  path,
  title,
  okText,
  onClose,
  children,
}: {
  loan: Loan;
  path: "/v1/credit/loans/{ref}/repayments" | "/v1/credit/loans/{ref}/status";
  title: string;
  okText: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation("credit");
  const { api } = useSession();
  const [form] = Form.useForm<V>();
  const write = useWrite((body: V, key: string) =>
    unwrap(
      api.POST(path, {
        params: { path: { ref: loan.ref }, header: { "idempotency-key": key } },
        body: body as never,
      }),
    ),
  );
  return (
    <Modal
      open
      title={title}
      okText={okText}
      cancelText={t("loans.cancel")}
      confirmLoading={write.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => write.mutate(v, { onSuccess: onClose })}>
        {children}
      </Form>
      <ErrorAlert error={write.error} />
    </Modal>
  );
}

function RepayDialog({ loan, onClose }: { loan: Loan; onClose: () => void }) {
  const { t } = useTranslation("credit");
  return (
    <LoanWriteDialog<{ amount: string }>
      loan={loan}
      path="/v1/credit/loans/{ref}/repayments"
      title={t("loans.repayTitle", { ref: loan.ref })}
      okText={t("loans.repay")}
      onClose={onClose}
    >
      <Form.Item
        name="amount"
        label={t("loans.amount", { currency: loan.currency })}
        rules={[
          { required: true, message: t("form.required") },
          {
            validator: async (_: unknown, v?: string) => {
              if (v && !isPositiveAmount(v.trim())) throw new Error(t("form.amount"));
            },
          },
        ]}
      >
        <Input inputMode="decimal" />
      </Form.Item>
    </LoanWriteDialog>
  );
}

function StatusDialog({ loan, onClose }: { loan: Loan; onClose: () => void }) {
  const { t } = useTranslation("credit");
  return (
    <LoanWriteDialog<{ to: string }>
      loan={loan}
      path="/v1/credit/loans/{ref}/status"
      title={t("loans.statusTitle", { ref: loan.ref })}
      okText={t("loans.changeStatus")}
      onClose={onClose}
    >
      <Form.Item name="to" label={t("loans.to")} rules={[{ required: true, message: t("form.required") }]}>
        <Select
          options={STATUS_TARGETS.filter((s) => s !== loan.status).map((s) => ({
            value: s,
            label: t(`status.${s}`),
          }))}
        />
      </Form.Item>
    </LoanWriteDialog>
  );
}
