-- Tender types (POS source type and card brand) mapped to clearing and fee accounts.
SELECT
    tender_type,
    source_type,
    card_brand,
    clearing_account,
    fee_account,
    CAST(settles_in_payout AS BOOLEAN) AS settles_in_payout
FROM ref.tenders
