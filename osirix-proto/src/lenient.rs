//! The codec of the generated server: prost, except that request strings which are not UTF-8 are decoded
//! lossily instead of failing the call.
//!
//! OsiriX decodes incoming strings with the system's C-string encoding (MacRoman on most Macs), which accepts
//! any bytes, so a uid that is not UTF-8 is simply an unknown uid there (`"No <Class> cached"`). Plain prost
//! would reject the whole message with gRPC INTERNAL. This codec first decodes strictly; only if that fails
//! does it replace invalid UTF-8 in top-level length-delimited fields and try once more.

use std::marker::PhantomData;

use prost::Message;
use prost::bytes::Buf;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic_prost::ProstEncoder;

/// A prost codec whose decoder tolerates invalid UTF-8 in string fields (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct LenientCodec<T, U> {
    _pd: PhantomData<(T, U)>,
}

impl<T, U> Default for LenientCodec<T, U> {
    fn default() -> Self {
        Self { _pd: PhantomData }
    }
}

impl<T, U> Codec for LenientCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = LenientDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::new(BufferSettings::default())
    }

    fn decoder(&mut self) -> Self::Decoder {
        LenientDecoder { _pd: PhantomData }
    }
}

/// The decoder of [`LenientCodec`].
#[derive(Debug, Clone)]
pub(crate) struct LenientDecoder<U> {
    _pd: PhantomData<U>,
}

impl<U: Message + Default> Decoder for LenientDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        let len = buf.remaining();
        let result = if buf.chunk().len() == len {
            let result = decode_lenient::<U>(buf.chunk());
            buf.advance(len);
            result
        } else {
            let bytes = buf.copy_to_bytes(len);
            decode_lenient::<U>(&bytes)
        };
        result
            .map(Some)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

fn decode_lenient<U: Message + Default>(bytes: &[u8]) -> Result<U, prost::DecodeError> {
    U::decode(bytes).or_else(|error| {
        repair_utf8(bytes)
            .and_then(|fixed| U::decode(fixed.as_slice()).ok())
            .ok_or(error)
    })
}

/// Rewrites the top-level length-delimited fields that are not UTF-8 with their lossy decoding.
/// `None` if the bytes are not a well-formed sequence of fields or nothing needed repair.
fn repair_utf8(mut bytes: &[u8]) -> Option<Vec<u8>> {
    use prost::encoding::{decode_varint, encode_varint};
    let mut out = Vec::with_capacity(bytes.len());
    let mut repaired = false;
    while !bytes.is_empty() {
        let key = decode_varint(&mut bytes).ok()?;
        encode_varint(key, &mut out);
        let fixed_len = match key & 7 {
            0 => {
                let value = decode_varint(&mut bytes).ok()?;
                encode_varint(value, &mut out);
                0
            }
            1 => 8,
            5 => 4,
            2 => {
                let len = usize::try_from(decode_varint(&mut bytes).ok()?).ok()?;
                let data = bytes.get(..len)?;
                bytes = bytes.get(len..)?;
                match std::str::from_utf8(data) {
                    Ok(_) => {
                        encode_varint(len as u64, &mut out);
                        out.extend_from_slice(data);
                    }
                    Err(_) => {
                        let text = String::from_utf8_lossy(data);
                        encode_varint(text.len() as u64, &mut out);
                        out.extend_from_slice(text.as_bytes());
                        repaired = true;
                    }
                }
                0
            }
            _ => return None,
        };
        if fixed_len > 0 {
            out.extend_from_slice(bytes.get(..fixed_len)?);
            bytes = bytes.get(fixed_len..)?;
        }
    }
    repaired.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_uid_decodes_lossily() {
        // Field 1, length 3: 0xff 'a' 0xfe.
        let bytes = [0x0a, 0x03, 0xff, b'a', 0xfe];
        assert!(crate::DicomStudy::decode(&bytes[..]).is_err());
        let handle = decode_lenient::<crate::DicomStudy>(&bytes).expect("lenient");
        assert_eq!(handle.osirixrpc_uid, "\u{fffd}a\u{fffd}");
    }

    #[test]
    fn valid_messages_are_unchanged() {
        let msg = crate::DicomStudy {
            osirixrpc_uid: "ABC".into(),
        };
        let bytes = msg.encode_to_vec();
        assert_eq!(
            decode_lenient::<crate::DicomStudy>(&bytes).expect("decode"),
            msg
        );
        assert_eq!(repair_utf8(&bytes), None);
    }

    #[test]
    fn garbage_still_fails() {
        assert!(decode_lenient::<crate::DicomStudy>(&[0x0a, 0x10, 0x01]).is_err());
        assert!(decode_lenient::<crate::DicomStudy>(&[0x0b]).is_err());
    }
}
