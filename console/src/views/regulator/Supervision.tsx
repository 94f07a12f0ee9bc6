/**
 * The regulator's desk: multi-borrowing flags over time (a chart and a filtered table), a borrower's inquiry
 * history, open credit disputes, overdue receivables and orders in dispute, each table exportable as CSV. Each
 * part has its own path under /supervision, so a link names it (a borrower's history: /supervision/borrower/0x…).
 */
import { Tabs } from "antd";
import { useTranslation } from "react-i18next";
import { useLocation } from "wouter";

import BorrowerHistory from "./BorrowerHistory";
import Disputes from "./Disputes";
import DisputedOrders from "./DisputedOrders";
import Flags from "./Flags";
import Overdue from "./Overdue";

const TABS = ["flags", "borrower", "disputes", "receivables", "orders"] as const;
type Tab = (typeof TABS)[number];

/** The tab and borrower key a path names: /supervision, /supervision/<tab>, /supervision/borrower/<key>. */
export function placeOf(location: string): { tab: Tab; borrowerKey?: string } {
  const [, , tab, key] = location.split("/");
  if (tab === "borrower") return { tab, borrowerKey: key === undefined || key === "" ? undefined : key };
  return { tab: (TABS as readonly string[]).includes(tab) ? (tab as Tab) : "flags" };
}

export default function Supervision() {
  const { t } = useTranslation("regulator");
  const [location, navigate] = useLocation();
  const place = placeOf(location);
  const showBorrower = (key: string) => navigate(`/supervision/borrower/${key}`);
  const content: Record<Tab, () => React.ReactNode> = {
    flags: () => <Flags onBorrower={showBorrower} />,
    borrower: () => <BorrowerHistory borrowerKey={place.borrowerKey} onBorrower={showBorrower} />,
    disputes: () => <Disputes onBorrower={showBorrower} />,
    receivables: () => <Overdue />,
    orders: () => <DisputedOrders />,
  };
  return (
    <>
      <h1>{t("title")}</h1>
      <Tabs
        activeKey={place.tab}
        destroyOnHidden
        onChange={(key) =>
          navigate(
            key === "flags"
              ? "/supervision"
              : key === "borrower" && place.borrowerKey !== undefined
                ? `/supervision/borrower/${place.borrowerKey}`
                : `/supervision/${key}`,
          )
        }
        items={TABS.map((key) => ({
          key,
          label: t(`tab.${key}`),
          children: key === place.tab ? content[key]() : null,
        }))}
      />
    </>
  );
}
