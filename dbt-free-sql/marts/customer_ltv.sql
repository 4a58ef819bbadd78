-- Lifetime value per customer and business, to the cent, recomputed every run from
-- core.customer_purchases: gross_sales = sale lines' gross less discounts, before sales tax,
-- tips and service charges (tax is the state's, tips are staff's, service charges are not
-- goods); refunds = returned lines at the same net amount, once refunded (or exchanged);
-- net_ltv = gross_sales - refunds. These are the amounts the journal books to revenue (less
-- its discount line) and to returns for the same lines; gift cards sold are owed back, not
-- revenue, so they count when spent, on the order that redeems them.
SELECT
    business_id,
    customer_id,
    CAST(coalesce(sum(net_amount) FILTER (WHERE line_kind = 'sale'), 0) AS DECIMAL(18, 2))
        AS gross_sales,
    CAST(coalesce(sum(net_amount) FILTER (WHERE line_kind = 'return'), 0) AS DECIMAL(18, 2))
        AS refunds,
    CAST(
        coalesce(sum(net_amount) FILTER (WHERE line_kind = 'sale'), 0)
        - coalesce(sum(net_amount) FILTER (WHERE line_kind = 'return'), 0) AS DECIMAL(18, 2)
    ) AS net_ltv
FROM core.customer_purchases
WHERE counts_in_ltv
GROUP BY ALL
