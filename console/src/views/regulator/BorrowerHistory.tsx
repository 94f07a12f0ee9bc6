/**
 * A borrower's history as the regulator sees it: who inquired, when, for what purpose and on which consent; the
 * loans; the disputes. A borrower is found by its key (the consortium key's HMAC of the id type and number): the
 * service offers no lookup by id to the regulator, so the key is what the desk enters.
 */
import { Button, Form, Input, Space, Tag } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { CsvExportButton, ErrorAlert } from "../../components/kit";
import { useSession } from "../../session";
import { isBorrowerKey, reasonText, short, utcTime } from "./format";
import { DeskTable, useMemberName } from "./parts";

type Inquiry = Schemas["HistoryInquiry"];
type Loan = Schemas["HistoryLoan"];
type Dispute = Schemas["HistoryDispute"];
/** The JSON answer (the endpoint gives CSV only when asked). */
interface History {
  borrowerKey: string;
  loans: Loan[];
  inquiries: Inquiry[];
  disputes: Dispute[];
}

export default function BorrowerHistory(props: { borrowerKey?: string; onBorrower: (key: string) => void }) {
  const { t } = useTranslation(["regulator", "common"]);
  const { api } = useSession();
  const key = props.borrowerKey !== undefined && isBorrowerKey(props.borrowerKey) ? props.borrowerKey : undefined;
  const history = useQuery({
    queryKey: ["regulator", "history", key],
    enabled: key !== undefined,
    queryFn: async () =>
      (await unwrap(
        api.GET("/v1/regulator/borrowers/{borrowerKey}/history", { params: { path: { borrowerKey: key! } } }),
      )) as History,
  });
  const member = useMemberName();
  const name = key === undefined ? "" : key.slice(2, 10);
  return (
    <section aria-labelledby="borrower-heading">
      <h2 id="borrower-heading">{t("borrower.title")}</h2>
      <Form
        layout="inline"
        initialValues={{ borrowerKey: props.borrowerKey ?? "" }}
        onFinish={(v: { borrowerKey: string }) => props.onBorrower(v.borrowerKey.trim().toLowerCase())}
        style={{ marginBottom: 8 }}
      >
        <Form.Item
          label={t("borrower.key")}
          name="borrowerKey"
          style={{ minWidth: 560 }}
          rules={[
            { required: true, message: t("borrower.keyRequired") },
            {
              validator: async (_, v: string) =>
                isBorrowerKey(v ?? "") ? undefined : Promise.reject(new Error(t("borrower.keyShape"))),
            },
          ]}
        >
          <Input placeholder="0x…" spellCheck={false} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">
            {t("borrower.show")}
          </Button>
        </Form.Item>
      </Form>
      <p>{t("borrower.byKey")}</p>
      <ErrorAlert error={history.error} />
      {key !== undefined && (
        <>
          <h3>{t("borrower.inquiries")}</h3>
          <Space style={{ marginBottom: 8 }}>
            <CsvExportButton<Inquiry>
              rows={history.data?.inquiries ?? []}
              filename={`borrower-${name}-inquiries.csv`}
              columns={[
                { title: t("borrower.at"), value: (i) => utcTime(i.at) },
                { title: t("borrower.who"), value: (i) => i.lender },
                { title: t("borrower.purpose"), value: (i) => reasonText(i.purpose) },
                { title: t("borrower.consent"), value: (i) => i.consentId ?? i.consentHash ?? "" },
                { title: t("borrower.consentHolder"), value: (i) => i.consent?.holder ?? "" },
                { title: t("borrower.consentPurpose"), value: (i) => i.consent?.purpose ?? "" },
                { title: t("borrower.consentExpires"), value: (i) => (i.consent ? utcTime(i.consent.expiresAt) : "") },
                {
                  title: t("borrower.consentRevoked"),
                  value: (i) => (i.consent?.revokedAt ? utcTime(i.consent.revokedAt) : ""),
                },
                { title: t("txHash"), value: (i) => i.txHash },
              ]}
            />
          </Space>
          <DeskTable<Inquiry>
            rowKey={(i) => `${i.txHash}-${i.lender}-${i.at}`}
            loading={history.isPending}
            dataSource={history.data?.inquiries ?? []}
            caption={t("borrower.inquiriesCaption", { key: short(key) })}
            columns={[
              { title: t("borrower.at"), dataIndex: "at", render: (at: number) => utcTime(at) },
              { title: t("borrower.who"), dataIndex: "lender", render: member },
              {
                title: t("borrower.purpose"),
                dataIndex: "purpose",
                // A consent purpose by its name; an inquiry before the consent book by its free purpose code.
                render: (p: string) => t(`borrower.purposes.${p}`, { defaultValue: reasonText(p) }),
              },
              {
                title: t("borrower.consent"),
                render: (_: unknown, i: Inquiry) => {
                  // An inquiry under the consent book shows the consent's record; an older one its consent hash.
                  if (i.consent !== null) {
                    const c = i.consent;
                    return (
                      <Space size={4} wrap>
                        <code title={c.id}>{short(c.id)}</code>
                        <span>{t("borrower.consentBy", { holder: member(c.holder) })}</span>
                        <span>{t(`borrower.purposes.${c.purpose}`, { defaultValue: c.purpose })}</span>
                        <span>{t("borrower.consentUntil", { at: utcTime(c.expiresAt) })}</span>
                        {c.revokedAt !== null && (
                          <Tag color="red">{t("borrower.consentRevokedAt", { at: utcTime(c.revokedAt) })}</Tag>
                        )}
                      </Space>
                    );
                  }
                  const h = i.consentId ?? i.consentHash;
                  return h === null || /^0x0{64}$/.test(h) ? (
                    t("borrower.noConsent")
                  ) : (
                    <code title={h}>{short(h)}</code>
                  );
                },
              },
              { title: t("txHash"), dataIndex: "txHash", render: (h: string) => <code title={h}>{short(h)}</code> },
            ]}
          />
          <h3>{t("borrower.loans")}</h3>
          <Space style={{ marginBottom: 8 }}>
            <CsvExportButton<Loan>
              rows={history.data?.loans ?? []}
              filename={`borrower-${name}-loans.csv`}
              columns={[
                { title: t("flags.loanId"), value: (l) => l.loanId },
                { title: t("flags.lender"), value: (l) => l.lender },
                { title: t("borrower.kind"), value: (l) => l.kind },
                { title: t("borrower.status"), value: (l) => l.status },
                { title: t("borrower.principal"), value: (l) => l.principal },
                { title: t("borrower.outstanding"), value: (l) => l.outstanding },
                { title: t("borrower.registered"), value: (l) => utcTime(l.registeredAt) },
              ]}
            />
          </Space>
          <DeskTable<Loan>
            rowKey="loanId"
            loading={history.isPending}
            dataSource={history.data?.loans ?? []}
            caption={t("borrower.loansCaption")}
            columns={[
              {
                title: t("flags.loanId"),
                dataIndex: "loanId",
                render: (id: string) => <code title={id}>{short(id)}</code>,
              },
              { title: t("flags.lender"), dataIndex: "lender", render: member },
              { title: t("borrower.kind"), dataIndex: "kind" },
              { title: t("borrower.status"), dataIndex: "status" },
              { title: t("borrower.principal"), dataIndex: "principal", align: "right" },
              { title: t("borrower.outstanding"), dataIndex: "outstanding", align: "right" },
              { title: t("borrower.registered"), dataIndex: "registeredAt", render: (at: number) => utcTime(at) },
            ]}
          />
          <h3>{t("borrower.disputes")}</h3>
          <DeskTable<Dispute>
            rowKey={(d) => `${d.loanId}-${d.openedAt}`}
            loading={history.isPending}
            dataSource={history.data?.disputes ?? []}
            caption={t("borrower.disputesCaption")}
            pagination={false}
            columns={[
              {
                title: t("flags.loanId"),
                dataIndex: "loanId",
                render: (id: string) => <code title={id}>{short(id)}</code>,
              },
              { title: t("disputes.opened"), dataIndex: "openedAt", render: (at: number) => utcTime(at) },
              { title: t("disputes.reason"), dataIndex: "reason", render: (r: string) => reasonText(r) },
              { title: t("disputes.state"), dataIndex: "state", render: (s: string) => t(`disputeState.${s}`, s) },
              { title: t("disputes.outcome"), dataIndex: "outcome", render: (o: string | null) => reasonText(o) },
            ]}
          />
        </>
      )}
    </section>
  );
}
