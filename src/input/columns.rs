//! Column names people paste, mapped to the fields Headroom reads.

/// A field of a position row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Instrument,
    Size,
    Side,
    Entry,
    Mark,
    Iv,
    Multiplier,
    Venue,
    /// `cross` or `isolated`, for a venue account (issue: accounts on their own venue's rules).
    MarginMode,
    /// USD allocated to an isolated position.
    IsolatedMargin,
    Leverage,
    /// The venue's own figures in an API response (reconciliation): liquidation price (USD),
    /// maintenance and initial margin (the venue's unit).
    VenueLiquidationPrice,
    VenueMaintenanceMargin,
    VenueInitialMargin,
    /// The index price the venue quotes with the row (Deribit `index_price`, OKX `idxPx`), USD:
    /// seeds the market's index where the user typed none.
    Index,
    /// The forward the venue prices the row's expiry at (Deribit `underlying_price`, OKX
    /// `fwdPx`, Bybit `underlyingPrice`), USD: seeds that expiry's forward.
    Forward,
}

impl Field {
    /// How many fields there are: [`Field::index`] is below it.
    pub const COUNT: usize = 16;

    /// The field's position among all fields.
    pub fn index(self) -> usize {
        match self {
            Field::Instrument => 0,
            Field::Size => 1,
            Field::Side => 2,
            Field::Entry => 3,
            Field::Mark => 4,
            Field::Iv => 5,
            Field::Multiplier => 6,
            Field::Venue => 7,
            Field::MarginMode => 8,
            Field::IsolatedMargin => 9,
            Field::Leverage => 10,
            Field::VenueLiquidationPrice => 11,
            Field::VenueMaintenanceMargin => 12,
            Field::VenueInitialMargin => 13,
            Field::Index => 14,
            Field::Forward => 15,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::Instrument => "instrument",
            Field::Size => "size",
            Field::Side => "side",
            Field::Entry => "entryPrice",
            Field::Mark => "markPrice",
            Field::Iv => "iv",
            Field::Multiplier => "multiplier",
            Field::Venue => "venue",
            Field::MarginMode => "marginMode",
            Field::IsolatedMargin => "isolatedMargin",
            Field::Leverage => "leverage",
            Field::VenueLiquidationPrice => "venueLiquidationPrice",
            Field::VenueMaintenanceMargin => "venueMaintenanceMargin",
            Field::VenueInitialMargin => "venueInitialMargin",
            Field::Index => "indexPrice",
            Field::Forward => "forwardPrice",
        }
    }
}

/// Aliases after normalisation (lower case, letters and digits only).
const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::Instrument,
        &[
            "instrument",
            "instrumentname",
            "symbol",
            "instid",
            "contract",
            "ticker",
            "market",
            "name",
            "asset",
            // Hyperliquid's positions name the perpetual by its coin.
            "coin",
        ],
    ),
    (
        Field::Size,
        &[
            "size",
            "amount",
            "qty",
            "quantity",
            "pos",
            "position",
            "positionsize",
            "positionamt",
            "netsize",
            "holding",
            "holdings",
            // Hyperliquid's signed size.
            "szi",
        ],
    ),
    (Field::Side, &["side", "direction", "posside", "longshort"]),
    (
        Field::Entry,
        &[
            "entry",
            "entryprice",
            "avgprice",
            "averageprice",
            "avgpx",
            "avgentryprice",
            "averageentryprice",
            "openprice",
            "avgopenprice",
            "costprice",
            "entrypx",
        ],
    ),
    (Field::Mark, &["mark", "markprice", "markpx"]),
    (
        Field::Iv,
        &[
            "iv",
            "markiv",
            "impliedvol",
            "impliedvolatility",
            "vol",
            "volatility",
            "markvol",
        ],
    ),
    (
        Field::Multiplier,
        &[
            "multiplier",
            "contractsize",
            "contractvalue",
            "ctval",
            "ctmult",
        ],
    ),
    (Field::Venue, &["venue", "exchange"]),
    (
        Field::MarginMode,
        &[
            "marginmode",
            "margintype",
            "mgnmode",
            "tdmode",
            "tradingmode",
        ],
    ),
    (
        Field::IsolatedMargin,
        &[
            "isolatedmargin",
            "isolatedmarginusd",
            "isolatedwallet",
            "isolatedwalletbalance",
        ],
    ),
    (Field::Leverage, &["leverage", "lever", "lev"]),
    (
        Field::VenueLiquidationPrice,
        &[
            "liquidationprice",
            "liqprice",
            "liqpx",
            "liquidationpx",
            "estimatedliquidationprice",
        ],
    ),
    (
        Field::VenueMaintenanceMargin,
        &["maintenancemargin", "maintmargin", "mmr", "positionmm"],
    ),
    (
        Field::VenueInitialMargin,
        &["initialmargin", "imr", "positionim", "marginused"],
    ),
    (
        Field::Index,
        &["indexprice", "idxpx", "indexpx", "estimateddeliveryprice"],
    ),
    (
        Field::Forward,
        &["forwardprice", "forward", "fwdpx", "underlyingprice"],
    ),
];

/// The venue a table's header names point to: OKX's `Pos`/`Avg. px`/`instId`, Bybit's
/// `Contracts`+`Qty`, Binance's `positionAmt`. `None` when they say nothing.
pub fn venue_hint<S: AsRef<str>>(headers: &[S]) -> Option<crate::instrument::Venue> {
    use crate::instrument::Venue;
    let names: Vec<String> = headers.iter().map(|h| normalise(h.as_ref())).collect();
    let has = |n: &str| names.iter().any(|h| h == n);
    if has("szi") {
        Some(Venue::Hyperliquid)
    } else if has("pos") || has("avgpx") || has("instid") || has("markpx") {
        Some(Venue::Okx)
    } else if has("qty") && has("contracts") {
        Some(Venue::Bybit)
    } else if has("positionamt") {
        Some(Venue::Binance)
    } else {
        None
    }
}

/// `"Avg. px"` → `"avgpx"`.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Maps each header to a field; `None` for a column Headroom does not read (or a second column
/// for a field already taken). `contracts` is the instrument when no other column names it
/// (Bybit's table) and the size otherwise.
pub fn map_headers<S: AsRef<str>>(headers: &[S]) -> Vec<Option<Field>> {
    let mut fields: Vec<Option<Field>> = headers
        .iter()
        .map(|h| {
            let key = normalise(h.as_ref());
            ALIASES
                .iter()
                .find(|(_, names)| names.contains(&key.as_str()))
                .map(|(f, _)| *f)
        })
        .collect();
    let mut seen = Vec::new();
    for slot in fields.iter_mut() {
        match slot {
            Some(f) if seen.contains(f) => *slot = None,
            Some(f) => seen.push(*f),
            None => {}
        }
    }
    for (i, h) in headers.iter().enumerate() {
        if normalise(h.as_ref()) != "contracts" || fields[i].is_some() {
            continue;
        }
        for candidate in [Field::Instrument, Field::Size] {
            if !fields.contains(&Some(candidate)) {
                fields[i] = Some(candidate);
                break;
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_headers_map_to_fields() {
        let okx = map_headers(&["Instrument", "Pos", "Avg. px", "Mark px", "IV"]);
        assert_eq!(
            okx,
            vec![
                Some(Field::Instrument),
                Some(Field::Size),
                Some(Field::Entry),
                Some(Field::Mark),
                Some(Field::Iv)
            ]
        );
        let bybit = map_headers(&["Contracts", "Qty", "Entry Price", "Mark Price", "IV"]);
        assert_eq!(bybit[0], Some(Field::Instrument));
        let counted = map_headers(&["Symbol", "Contracts", "Delta"]);
        assert_eq!(
            counted,
            vec![Some(Field::Instrument), Some(Field::Size), None]
        );
        let both = map_headers(&["Symbol", "Contracts", "Amount", "Size"]);
        assert_eq!(
            both,
            vec![Some(Field::Instrument), None, Some(Field::Size), None]
        );
    }
}
