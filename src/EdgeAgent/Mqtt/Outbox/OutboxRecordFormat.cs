using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace EdgeVision.EdgeAgent.Mqtt.Outbox;

/// <summary>
/// How one record is laid out in a log segment: <c>[body length: u32][CRC-32 of body: u32][body]</c>, little endian,
/// with body <c>[id: i64][accepted at, Unix ms: i64][flags: u8, bit 0 retain][topic length: u16][topic UTF-8][payload]</c>.
/// The length and the CRC let recovery tell a complete record from one torn by a crash mid-write.
/// </summary>
internal static class OutboxRecordFormat
{
    public const int HeaderBytes = 8;

    private const int FixedBodyBytes = 8 + 8 + 1 + 2;

    /// <summary>A body longer than this is taken as garbage (a torn length field), not as a record to read.</summary>
    private const int MaxBodyBytes = 256 * 1024 * 1024;

    public static int EncodedLength(string topic, int payloadLength) =>
        HeaderBytes + FixedBodyBytes + Encoding.UTF8.GetByteCount(topic) + payloadLength;

    public static byte[] Encode(long id, DateTimeOffset acceptedAt, string topic, bool retain, ReadOnlySpan<byte> payload)
    {
        var topicBytes = Encoding.UTF8.GetByteCount(topic);
        var buffer = new byte[HeaderBytes + FixedBodyBytes + topicBytes + payload.Length];
        var body = buffer.AsSpan(HeaderBytes);
        BinaryPrimitives.WriteInt64LittleEndian(body, id);
        BinaryPrimitives.WriteInt64LittleEndian(body[8..], acceptedAt.ToUnixTimeMilliseconds());
        body[16] = retain ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(body[17..], checked((ushort)topicBytes));
        Encoding.UTF8.GetBytes(topic, body[FixedBodyBytes..]);
        payload.CopyTo(body[(FixedBodyBytes + topicBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4), Crc32.HashToUInt32(body));
        return buffer;
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="data"/>; null when what is there is not a whole, intact
    /// record (too short, an impossible length, a CRC mismatch): the point where a crash cut the log.
    /// </summary>
    public static OutboxRecord? TryDecode(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderBytes + FixedBodyBytes)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length < FixedBodyBytes || length > MaxBodyBytes || length > data.Length - HeaderBytes)
        {
            return null;
        }

        var body = data.Slice(HeaderBytes, (int)length);
        if (Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(data[4..]))
        {
            return null;
        }

        var topicBytes = BinaryPrimitives.ReadUInt16LittleEndian(body[17..]);
        if (FixedBodyBytes + topicBytes > body.Length)
        {
            return null;
        }

        return new OutboxRecord(
            BinaryPrimitives.ReadInt64LittleEndian(body),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(body[8..])),
            Encoding.UTF8.GetString(body.Slice(FixedBodyBytes, topicBytes)),
            (body[16] & 1) != 0,
            body[(FixedBodyBytes + topicBytes)..].ToArray(),
            HeaderBytes + (int)length);
    }
}
