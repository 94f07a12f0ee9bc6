/** What the regulator desk's tables share: their settings, a member's name, a borrower key that opens its history. */
import { Button, Table, type TableProps } from "antd";
import { useTranslation } from "react-i18next";

import { EMPTY, MONO, short } from "./format";

/** A table as the desk draws them: small, 20 rows a page, "nothing here" readable on white; `props` may override. */
export function DeskTable<T extends object>(props: TableProps<T>) {
  const { t } = useTranslation("regulator");
  return (
    <Table<T>
      size="small"
      locale={{ emptyText: <span style={EMPTY}>{t("empty")}</span> }}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      {...props}
    />
  );
}

/** A member id as its name in words ("member #5"); no member (null) as nothing. */
export function useMemberName(): (id: number | null) => string {
  const { t } = useTranslation("common");
  return (id) => (id === null ? "" : t("memberId", { id }));
}

/** A borrower key, shortened, as a link to the borrower's history (the whole key in its title). */
export function BorrowerKeyLink({ value, onBorrower }: { value: string; onBorrower: (key: string) => void }) {
  return (
    <Button type="link" size="small" title={value} onClick={() => onBorrower(value)} style={MONO}>
      {short(value)}
    </Button>
  );
}
