-- Tenders as operations map them: POS source type, card brand and wallet brand (blank = the
-- source type's catch-all) to a canonical tender and its clearing and fee accounts.
SELECT
    canonical_tender,
    tender_type,
    source_type,
    card_brand,
    wallet_brand,
    clearing_account,
    fee_account,
    CAST(settles_in_payout AS BOOLEAN) AS settles_in_payout
FROM ref.tenders
