/** The first page of every desk: who is signed in, for which member, the read model's health, and the members. */
import { Card, Descriptions, Table, Tag } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap } from "../api/client";
import { ErrorAlert } from "../components/kit";
import { useSession } from "../session";

export default function Overview() {
  const { t } = useTranslation();
  const { api, me } = useSession();
  const health = useQuery({
    queryKey: ["healthz"],
    queryFn: async () =>
      (await fetch("/healthz")).json() as Promise<{ chainHead: number; indexedHead: number; lag: number }>,
  });
  const members = useQuery({ queryKey: ["members"], queryFn: () => unwrap(api.GET("/v1/members")) });
  return (
    <>
      <h1>{t("nav.overview")}</h1>
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={2} size="small">
          <Descriptions.Item label={t("overview.holder")}>{me.name}</Descriptions.Item>
          <Descriptions.Item label={t("overview.roles")}>
            {me.roles.map((r) => (
              <Tag key={r}>{t(`role.${r}`)}</Tag>
            ))}
          </Descriptions.Item>
          <Descriptions.Item label={t("overview.member")}>
            {me.member === undefined ? t("overview.noMember") : t("memberId", { id: me.member.id })}
          </Descriptions.Item>
          <Descriptions.Item label={t("overview.signer")}>{me.signer ?? t("overview.readOnly")}</Descriptions.Item>
          <Descriptions.Item label={t("overview.indexed")}>
            {health.data === undefined
              ? "…"
              : t("overview.indexedOf", { indexed: health.data.indexedHead, head: health.data.chainHead })}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <ErrorAlert error={members.error} />
      <Table
        rowKey="id"
        size="small"
        loading={members.isPending}
        dataSource={members.data ?? []}
        pagination={false}
        caption={t("overview.members")}
        columns={[
          { title: t("overview.id"), dataIndex: "id" },
          { title: t("overview.jurisdiction"), dataIndex: "jurisdiction" },
          { title: t("overview.status"), dataIndex: "status" },
          { title: t("overview.memberRoles"), dataIndex: "roles", render: (roles: string[]) => roles.join(", ") },
          { title: t("overview.admin"), dataIndex: "admin", render: (a: string) => <code>{a}</code> },
        ]}
      />
    </>
  );
}
