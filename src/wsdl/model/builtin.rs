//! The built-in XSD simple types soapbridge knows: their XSD names, how each is written in
//! JSON, and the bounds of the integer types.
//!
//! May import: nothing of the crate.

/// The built-in XSD simple types soapbridge knows the lexical rules of.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Builtin {
    AnySimpleType,
    String,
    NormalizedString,
    Token,
    Language,
    Name,
    NcName,
    NmToken,
    Id,
    IdRef,
    Entity,
    Boolean,
    Decimal,
    Integer,
    NonPositiveInteger,
    NegativeInteger,
    Long,
    Int,
    Short,
    Byte,
    NonNegativeInteger,
    UnsignedLong,
    UnsignedInt,
    UnsignedShort,
    UnsignedByte,
    PositiveInteger,
    Float,
    Double,
    Duration,
    DateTime,
    Time,
    Date,
    GYearMonth,
    GYear,
    GMonthDay,
    GDay,
    GMonth,
    HexBinary,
    Base64Binary,
    AnyUri,
    QName,
    Notation,
}

/// How a built-in type is written in JSON.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum JsonKind {
    String,
    /// A JSON number with no fraction (any of the XSD integer types).
    Integer,
    /// A JSON number, exact (decimal) or binary floating point (float, double).
    Number,
    Boolean,
}

impl Builtin {
    /// Every built-in with its XSD local name, for lookup by name.
    pub const ALL: &'static [(&'static str, Builtin)] = &[
        ("anySimpleType", Builtin::AnySimpleType),
        ("string", Builtin::String),
        ("normalizedString", Builtin::NormalizedString),
        ("token", Builtin::Token),
        ("language", Builtin::Language),
        ("Name", Builtin::Name),
        ("NCName", Builtin::NcName),
        ("NMTOKEN", Builtin::NmToken),
        ("NMTOKENS", Builtin::NmToken),
        ("ID", Builtin::Id),
        ("IDREF", Builtin::IdRef),
        ("IDREFS", Builtin::IdRef),
        ("ENTITY", Builtin::Entity),
        ("ENTITIES", Builtin::Entity),
        ("boolean", Builtin::Boolean),
        ("decimal", Builtin::Decimal),
        ("integer", Builtin::Integer),
        ("nonPositiveInteger", Builtin::NonPositiveInteger),
        ("negativeInteger", Builtin::NegativeInteger),
        ("long", Builtin::Long),
        ("int", Builtin::Int),
        ("short", Builtin::Short),
        ("byte", Builtin::Byte),
        ("nonNegativeInteger", Builtin::NonNegativeInteger),
        ("unsignedLong", Builtin::UnsignedLong),
        ("unsignedInt", Builtin::UnsignedInt),
        ("unsignedShort", Builtin::UnsignedShort),
        ("unsignedByte", Builtin::UnsignedByte),
        ("positiveInteger", Builtin::PositiveInteger),
        ("float", Builtin::Float),
        ("double", Builtin::Double),
        ("duration", Builtin::Duration),
        ("dateTime", Builtin::DateTime),
        ("dateTimeStamp", Builtin::DateTime),
        ("time", Builtin::Time),
        ("date", Builtin::Date),
        ("gYearMonth", Builtin::GYearMonth),
        ("gYear", Builtin::GYear),
        ("gMonthDay", Builtin::GMonthDay),
        ("gDay", Builtin::GDay),
        ("gMonth", Builtin::GMonth),
        ("hexBinary", Builtin::HexBinary),
        ("base64Binary", Builtin::Base64Binary),
        ("anyURI", Builtin::AnyUri),
        ("QName", Builtin::QName),
        ("NOTATION", Builtin::Notation),
        // XSD 1.1 duration subtypes read as durations.
        ("dayTimeDuration", Builtin::Duration),
        ("yearMonthDuration", Builtin::Duration),
    ];

    pub fn by_name(local: &str) -> Option<Builtin> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == local)
            .map(|(_, b)| *b)
    }

    /// The XSD name, as used in messages (`xsd:int`).
    pub fn xsd_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("anySimpleType", |(name, _)| name)
    }

    pub fn json_kind(self) -> JsonKind {
        use Builtin::*;
        match self {
            Boolean => JsonKind::Boolean,
            Integer | NonPositiveInteger | NegativeInteger | Long | Int | Short | Byte
            | NonNegativeInteger | UnsignedLong | UnsignedInt | UnsignedShort | UnsignedByte
            | PositiveInteger => JsonKind::Integer,
            Decimal | Float | Double => JsonKind::Number,
            _ => JsonKind::String,
        }
    }

    /// Inclusive bounds of an integer type (`None` for unbounded ends).
    pub fn integer_bounds(self) -> (Option<i128>, Option<i128>) {
        use Builtin::*;
        match self {
            Long => (Some(i64::MIN.into()), Some(i64::MAX.into())),
            Int => (Some(i32::MIN.into()), Some(i32::MAX.into())),
            Short => (Some(i16::MIN.into()), Some(i16::MAX.into())),
            Byte => (Some(i8::MIN.into()), Some(i8::MAX.into())),
            UnsignedLong => (Some(0), Some(u64::MAX.into())),
            UnsignedInt => (Some(0), Some(u32::MAX.into())),
            UnsignedShort => (Some(0), Some(u16::MAX.into())),
            UnsignedByte => (Some(0), Some(u8::MAX.into())),
            NonNegativeInteger => (Some(0), None),
            PositiveInteger => (Some(1), None),
            NonPositiveInteger => (None, Some(0)),
            NegativeInteger => (None, Some(-1)),
            _ => (None, None),
        }
    }
}
