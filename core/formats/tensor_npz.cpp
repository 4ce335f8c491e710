// The .npz container (numpy.savez / savez_compressed): zip records (zip64 too), stored or
// deflated entries (zlib), .npy headers, q/k/v and the small metadata arrays. Sections: [inflate]
// · [npy] header parsing · [npz] zip records · [metadata arrays] · [the capture]. Shared checks:
// tensor_file_internal.h.
#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/base/text.h"
#include "core/formats/tensor_file_internal.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace attn::tensor_io {

namespace {

// ---- [inflate] -----------------------------------------------------------------------------------

// A raw deflate stream (zip method 8) that may produce at most `declared` bytes.
class InflateStream final : public Stream {
public:
    InflateStream(const Source& source, u64 offset, u64 compressed, u64 declared, std::string what)
        : source_(source), offset_(offset), compressed_(compressed), declared_(declared), what_(std::move(what)) {
        std::memset(&z_, 0, sizeof z_);
        if (inflateInit2(&z_, -MAX_WBITS) != Z_OK) throw InputError(what_ + ": cannot start zlib");
        input_.resize(std::size_t{1} << 18);
    }
    ~InflateStream() override { inflateEnd(&z_); }
    InflateStream(const InflateStream&) = delete;
    InflateStream& operator=(const InflateStream&) = delete;

    void finish() override {
        if (done() != declared_)
            throw InputError(what_ + " declares " + num(declared_) + " bytes but its header and shape need " + num(done()));
        unsigned char probe = 0;
        if (pump(&probe, 1) != 0)
            throw InputError(what_ + " inflates to more than its declared " + num(declared_) + " bytes (a zip bomb?)");
    }

protected:
    void produce(void* dest, std::size_t n) override {
        if (n > declared_ - done())
            throw InputError(what_ + " declares " + num(declared_) + " bytes, fewer than its header and shape need");
        if (pump(static_cast<unsigned char*>(dest), n) != n)
            throw InputError(what_ + " inflates to fewer bytes than it declares (" + num(declared_) + "): truncated or corrupt");
    }

private:
    // Inflates up to n bytes into dest; returns how many came out (fewer only at the stream's end).
    std::size_t pump(unsigned char* dest, std::size_t n) {
        std::size_t out = 0;
        while (out < n && !ended_) {
            if (z_.avail_in == 0 && consumed_ < compressed_) {
                const std::size_t chunk = static_cast<std::size_t>(std::min<u64>(input_.size(), compressed_ - consumed_));
                source_.read(offset_ + consumed_, chunk, input_.data());
                consumed_ += chunk;
                z_.next_in = input_.data();
                z_.avail_in = static_cast<uInt>(chunk);
            }
            const std::size_t want = std::min<std::size_t>(n - out, std::size_t{1} << 30);
            z_.next_out = dest + out;
            z_.avail_out = static_cast<uInt>(want);
            const int rc = inflate(&z_, Z_NO_FLUSH);
            out += want - z_.avail_out;
            if (rc == Z_STREAM_END) {
                ended_ = true;
            } else if (rc == Z_BUF_ERROR && z_.avail_in == 0 && consumed_ == compressed_) {
                throw InputError(what_ + ": the compressed data ends early (truncated)");
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                throw InputError(what_ + ": corrupt compressed data (zlib: " + printable(z_.msg ? z_.msg : "error") + ")");
            }
        }
        return out;
    }

    const Source& source_;
    u64 offset_, compressed_, declared_, consumed_ = 0;
    std::string what_;
    z_stream z_;
    std::vector<unsigned char> input_;
    bool ended_ = false;
};

// ---- [npy] ---------------------------------------------------------------------------------------

struct NpyHeader {
    std::string descr;  // '<f4', '|b1', '<U12', ...
    bool fortran = false;
    std::vector<u64> shape;
    u64 header_bytes = 0;  // magic + lengths + dict
    u64 count = 1;         // product of shape
};

// A strict reader of the one Python dict literal np.save writes:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class DictReader {
public:
    DictReader(std::string_view text, std::string what) : text_(text), what_(std::move(what)) {}

    NpyHeader parse() {
        NpyHeader h;
        bool seen[3] = {false, false, false};
        expect('{');
        while (!peek('}')) {
            const std::string key = string_literal();
            expect(':');
            if (key == "descr") {
                if (peek('[')) throw InputError(what_ + " has a structured dtype (expected a plain number array)");
                h.descr = string_literal();
                seen[0] = true;
            } else if (key == "fortran_order") {
                h.fortran = boolean();
                seen[1] = true;
            } else if (key == "shape") {
                h.shape = tuple();
                seen[2] = true;
            } else {
                throw InputError(what_ + " header has an unknown key " + in_quotes(key));
            }
            if (!peek('}')) expect(',');
        }
        expect('}');
        skip_space();
        if (pos_ != text_.size()) fail("text after the header dictionary");
        if (!seen[0] || !seen[1] || !seen[2]) fail("the header lacks descr, fortran_order or shape");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const {
        throw InputError(what_ + ": bad .npy header (" + problem + " at byte " + std::to_string(pos_) + ")");
    }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
    }
    bool peek(char c) {
        skip_space();
        return pos_ < text_.size() && text_[pos_] == c;
    }
    void expect(char c) {
        if (!peek(c)) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    std::string string_literal() {
        skip_space();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a string");
        const char quote = text_[pos_++];
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != quote) {
            if (text_[pos_] == '\\' || pos_ - start > 64) fail("an unexpected string");
            ++pos_;
        }
        if (pos_ >= text_.size()) fail("an unterminated string");
        return std::string(text_.substr(start, pos_++ - start));
    }
    bool boolean() {
        skip_space();
        if (text_.substr(pos_, 4) == "True") { pos_ += 4; return true; }
        if (text_.substr(pos_, 5) == "False") { pos_ += 5; return false; }
        fail("expected True or False");
    }
    std::vector<u64> tuple() {
        std::vector<u64> out;
        expect('(');
        while (!peek(')')) {
            skip_space();
            u64 x = 0;
            std::size_t digits = 0;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
                if (++digits > 18) fail("a size too large");
                x = x * 10 + static_cast<u64>(text_[pos_++] - '0');
            }
            if (digits == 0) fail("expected a size");
            out.push_back(x);
            if (out.size() > 8) fail("more than 8 dimensions");
            if (!peek(')')) expect(',');
        }
        expect(')');
        return out;
    }

    std::string_view text_;
    std::string what_;
    std::size_t pos_ = 0;
};

NpyHeader read_npy_header(Stream& in, const std::string& what) {
    unsigned char start[10];
    in.read(start, 10);
    if (std::memcmp(start, "\x93NUMPY", 6) != 0) throw InputError(what + " is not a .npy array (no \\x93NUMPY magic)");
    const int major = start[6];
    if (major < 1 || major > 3) throw InputError(what + " has .npy format version " + std::to_string(major) + ", expected 1 to 3");
    u64 length = read_le(start + 8, 2);
    u64 prefix = 10;
    if (major > 1) {
        unsigned char more[2];
        in.read(more, 2);
        length = read_le(start + 8, 2) | (read_le(more, 2) << 16);
        prefix = 12;
    }
    if (length > 65536) throw InputError(what + " has a .npy header of " + num(length) + " bytes, more than the limit of 65536");
    std::string text(static_cast<std::size_t>(length), '\0');
    in.read(text.data(), text.size());
    NpyHeader h = DictReader(text, what).parse();
    h.header_bytes = prefix + length;
    bool overflow = false;
    for (u64 dim : h.shape) overflow = overflow || __builtin_mul_overflow(h.count, dim, &h.count);
    if (overflow) throw InputError(what + " has shape " + shape_text(h.shape) + ", too many numbers (the size overflows)");
    if (h.fortran && h.shape.size() > 1)
        throw InputError(what + " is in Fortran order (save it in C order: numpy.ascontiguousarray)");
    return h;
}

// The float dtype of q/k/v from a descr.
DType npy_float_type(const std::string& descr, const std::string& what) {
    if (descr == "<f4") return DType::F32;
    if (descr == "<f2") return DType::F16;
    if (descr == "<f8") return DType::F64;
    if (descr == "<u2") return DType::BF16;  // bfloat16 bit patterns (NumPy has no bfloat16)
    if (!descr.empty() && descr[0] == '>')
        throw InputError(what + " is big-endian (" + in_quotes(descr) + "); the layout is little-endian");
    throw InputError(what + " has dtype " + in_quotes(descr) + ", expected '<f4', '<f2', '<f8' or '<u2' (bfloat16 bits)");
}

// ---- [npz] ---------------------------------------------------------------------------------------

struct ZipEntry {
    std::string name;
    int method = 0;
    unsigned long crc = 0;
    u64 compressed = 0, size = 0, local = 0;
    u64 data = 0;  // set by locate()
};

// The end-of-central-directory record in the last bytes of a zip: the last signature whose
// comment length says the record ends exactly at the end of the file, so a comment that quotes
// the signature is not taken for the record; failing that, the last signature (whose record the
// reader then refuses with a reason). npos when there is none.
std::size_t find_end_record(const std::string& tail) {
    std::size_t last = std::string::npos;
    for (std::size_t i = tail.size() >= 22 ? tail.size() - 22 + 1 : 0; i-- > 0;) {
        if (std::memcmp(tail.data() + i, "PK\x05\x06", 4) != 0) continue;
        const auto* e = reinterpret_cast<const unsigned char*>(tail.data() + i);
        if (i + 22 + read_le(e + 20, 2) == tail.size()) return i;
        if (last == std::string::npos) last = i;
    }
    return last;
}

class ZipReader {
public:
    ZipReader(const Source& source, std::string where) : source_(source), where_(std::move(where)) {}

    void read_directory() {
        const u64 size = source_.size();
        const u64 tail_len = std::min<u64>(size, 22 + 65535);
        std::string tail(static_cast<std::size_t>(tail_len), '\0');
        source_.read(size - tail_len, tail.size(), tail.data());
        const std::size_t at = find_end_record(tail);
        if (at == std::string::npos) fail("zip end record not found (truncated .npz?)");
        const auto* e = reinterpret_cast<const unsigned char*>(tail.data() + at);
        const u64 eocd = size - tail_len + at;
        u64 count = read_le(e + 10, 2), cd_size = read_le(e + 12, 4), cd_offset = read_le(e + 16, 4);
        if (read_le(e + 4, 2) != 0 || read_le(e + 6, 2) != 0) fail("multi-disk zip archives are not supported");
        u64 cd_end_limit = eocd;
        if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
            if (eocd < 20) fail("zip64 locator missing");
            unsigned char loc[20];
            source_.read(eocd - 20, 20, loc);
            if (std::memcmp(loc, "PK\x06\x07", 4) != 0) fail("zip64 locator missing");
            const u64 z = read_le(loc + 8, 8);
            if (z > eocd - 20 || eocd - 20 - z < 56) fail("zip64 end record offset " + num(z) + " is outside the file");
            unsigned char rec[56];
            source_.read(z, 56, rec);
            if (std::memcmp(rec, "PK\x06\x06", 4) != 0) fail("zip64 end record not found where the locator says");
            count = read_le(rec + 32, 8);
            cd_size = read_le(rec + 40, 8);
            cd_offset = read_le(rec + 48, 8);
            cd_end_limit = z;
        }
        if (count > static_cast<u64>(kMaxCaptureEntries))
            fail("lists " + num(count) + " entries, more than the limit of " + std::to_string(kMaxCaptureEntries));
        if (cd_offset > cd_end_limit || cd_size > cd_end_limit - cd_offset)
            fail("central directory [" + num(cd_offset) + ", +" + num(cd_size) + "] lies outside the file before its end record (" +
                 num(cd_end_limit) + ")");
        if (cd_size > kMaxCaptureHeaderBytes) fail("central directory is " + num(cd_size) + " bytes, more than the limit");
        cd_offset_ = cd_offset;
        std::string cd(static_cast<std::size_t>(cd_size), '\0');
        source_.read(cd_offset, cd.size(), cd.data());
        const auto* p = reinterpret_cast<const unsigned char*>(cd.data());
        std::size_t pos = 0;
        for (u64 i = 0; i < count; ++i) {
            if (cd.size() - pos < 46 || std::memcmp(p + pos, "PK\x01\x02", 4) != 0)
                fail("central directory entry " + num(i) + " is missing or cut short");
            const unsigned char* r = p + pos;
            ZipEntry z;
            const u64 flags = read_le(r + 8, 2);
            z.method = static_cast<int>(read_le(r + 10, 2));
            z.crc = static_cast<unsigned long>(read_le(r + 16, 4));
            z.compressed = read_le(r + 20, 4);
            z.size = read_le(r + 24, 4);
            const std::size_t name_len = read_le(r + 28, 2), extra_len = read_le(r + 30, 2), comment_len = read_le(r + 32, 2);
            z.local = read_le(r + 42, 4);
            if (cd.size() - pos - 46 < name_len + extra_len + comment_len)
                fail("central directory entry " + num(i) + " runs past the directory's end");
            z.name.assign(cd.data() + pos + 46, name_len);
            if (flags & 1) fail("entry " + single_quoted(z.name) + " is encrypted");
            read_zip64_extra(r + 46 + name_len, extra_len, z);
            if (z.local >= cd_offset) fail("entry " + single_quoted(z.name) + " local header offset " + num(z.local) +
                                           " is not before the central directory (" + num(cd_offset) + ")");
            for (const ZipEntry& other : entries_)
                if (other.name == z.name) fail("lists the entry " + single_quoted(z.name) + " twice");
            entries_.push_back(z);
            pos += 46 + name_len + extra_len + comment_len;
        }
    }

    const ZipEntry* find(const std::string& name) const {
        for (const ZipEntry& z : entries_)
            if (z.name == name) return &z;
        return nullptr;
    }

    // Checks the entry's local header and where its data lies; returns a stream of its bytes.
    std::unique_ptr<Stream> open(const ZipEntry& entry) {
        const std::string what = where_ + ": entry " + single_quoted(entry.name);
        unsigned char h[30];
        if (cd_offset_ - entry.local < 30) fail("entry " + single_quoted(entry.name) + " local header runs into the central directory");
        source_.read(entry.local, 30, h);
        if (std::memcmp(h, "PK\x03\x04", 4) != 0)
            fail("entry " + single_quoted(entry.name) + " has no local header at offset " + num(entry.local) + " (a lying central directory?)");
        const u64 name_len = read_le(h + 26, 2), extra_len = read_le(h + 28, 2);
        const u64 data = entry.local + 30 + name_len + extra_len;
        if (data > cd_offset_ || entry.compressed > cd_offset_ - data)
            fail("entry " + single_quoted(entry.name) + " data [" + num(data) + ", +" + num(entry.compressed) +
                 "] runs into the central directory (" + num(cd_offset_) + ")");
        std::string local_name(static_cast<std::size_t>(name_len), '\0');
        source_.read(entry.local + 30, local_name.size(), local_name.data());
        if (local_name != entry.name)
            fail("entry " + single_quoted(entry.name) + " local header names " + single_quoted(local_name) + " (a lying central directory?)");
        for (const auto& [begin, end] : claimed_)
            if (entry.local < end && begin < data + entry.compressed)
                fail("entry " + single_quoted(entry.name) + " overlaps another entry's bytes");
        claimed_.emplace_back(entry.local, data + entry.compressed);
        if (entry.method == 0) {
            if (entry.compressed != entry.size)
                fail("stored entry " + single_quoted(entry.name) + " has compressed size " + num(entry.compressed) + " ≠ size " + num(entry.size));
            return std::make_unique<RangeStream>(source_, data, entry.size, what);
        }
        // Deflate cannot expand more than 1032:1; a larger claim is a bomb, refused before any
        // memory is set aside for it.
        if (entry.method == 8 && entry.size / 1032 > entry.compressed + 64)
            fail("entry " + single_quoted(entry.name) + " declares " + num(entry.size) + " bytes from " + num(entry.compressed) +
                 " compressed, more than deflate can produce (a zip bomb?)");
        if (entry.method == 8) return std::make_unique<InflateStream>(source_, data, entry.compressed, entry.size, what);
        fail("entry " + single_quoted(entry.name) + " uses compression method " + std::to_string(entry.method) +
             " (only stored and deflated are supported)");
    }

    void verify(const ZipEntry& entry, Stream& in) const {
        in.finish();
        if (in.crc() != entry.crc)
            fail("entry " + single_quoted(entry.name) + " fails its CRC-32 check (corrupt data)");
    }

    [[noreturn]] void fail(const std::string& problem) const { throw InputError(where_ + ": " + problem); }

private:
    void read_zip64_extra(const unsigned char* extra, std::size_t length, ZipEntry& z) const {
        std::size_t pos = 0;
        while (length - pos >= 4) {
            const u64 id = read_le(extra + pos, 2), size = read_le(extra + pos + 2, 2);
            if (size > length - pos - 4) fail("entry " + single_quoted(z.name) + " has a broken extra field");
            if (id == 1) {
                std::size_t at = pos + 4;
                const auto take = [&](u64& field) {
                    if (field != 0xFFFFFFFF) return;
                    if (at + 8 > pos + 4 + size) fail("entry " + single_quoted(z.name) + " has a short zip64 field");
                    field = read_le(extra + at, 8);
                    at += 8;
                };
                take(z.size);
                take(z.compressed);
                take(z.local);
            }
            pos += 4 + static_cast<std::size_t>(size);
        }
    }

    const Source& source_;
    std::string where_;
    u64 cd_offset_ = 0;
    std::vector<ZipEntry> entries_;
    std::vector<std::pair<u64, u64>> claimed_;
};

// ---- [metadata arrays] ---------------------------------------------------------------------------

// A small npy entry (tokens, causal, scale) read whole.
struct SmallArray {
    NpyHeader header;
    std::string data;
};

SmallArray read_small(ZipReader& zip, const ZipEntry& entry, const std::string& where) {
    const std::string what = where + ": entry " + single_quoted(entry.name);
    if (entry.size > (std::size_t{2} << 20))
        zip.fail("entry " + single_quoted(entry.name) + " is " + num(entry.size) + " bytes, more than the limit of 2 MiB");
    auto in = zip.open(entry);
    SmallArray a;
    a.header = read_npy_header(*in, what);
    const u64 rest = entry.size >= in->done() ? entry.size - in->done() : 0;
    a.data.resize(static_cast<std::size_t>(rest));
    in->read(a.data.data(), a.data.size());
    zip.verify(entry, *in);
    return a;
}

// Element size of a descr the metadata accepts: |b1, integers, '<Un' (UTF-32), '|Sn', floats.
std::vector<std::string> string_items(const SmallArray& a, const std::string& what) {
    const std::string& d = a.header.descr;
    if (d.size() < 3 || (d.compare(0, 2, "<U") != 0 && d.compare(0, 2, "|S") != 0)) return {};
    const bool wide = d[1] == 'U';
    u64 width = 0;
    for (std::size_t i = 2; i < d.size(); ++i) {
        if (d[i] < '0' || d[i] > '9' || width > 100000) throw InputError(what + " has dtype " + in_quotes(d));
        width = width * 10 + static_cast<u64>(d[i] - '0');
    }
    const u64 item = wide ? 4 * width : width;
    if (width == 0 || a.header.count > a.data.size() / item || a.header.count * item != a.data.size())
        throw InputError(what + " holds " + num(a.data.size()) + " bytes but dtype " + in_quotes(d) + " and shape " +
                         shape_text(a.header.shape) + " need " + num(a.header.count * std::max<u64>(item, 1)));
    std::vector<std::string> out;
    for (u64 i = 0; i < a.header.count; ++i) {
        const char* p = a.data.data() + i * item;
        std::string s;
        if (wide) {
            for (u64 c = 0; c < width; ++c) {
                const auto u = static_cast<std::uint32_t>(read_le(reinterpret_cast<const unsigned char*>(p + 4 * c), 4));
                if (u == 0) break;
                if (u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
                    throw InputError(what + " item " + num(i) + " holds an invalid character");
                if (u < 0x80) s += static_cast<char>(u);
                else if (u < 0x800) { s += static_cast<char>(0xC0 | (u >> 6)); s += static_cast<char>(0x80 | (u & 0x3F)); }
                else if (u < 0x10000) { s += static_cast<char>(0xE0 | (u >> 12)); s += static_cast<char>(0x80 | ((u >> 6) & 0x3F)); s += static_cast<char>(0x80 | (u & 0x3F)); }
                else { s += static_cast<char>(0xF0 | (u >> 18)); s += static_cast<char>(0x80 | ((u >> 12) & 0x3F)); s += static_cast<char>(0x80 | ((u >> 6) & 0x3F)); s += static_cast<char>(0x80 | (u & 0x3F)); }
            }
        } else {
            s.assign(p, static_cast<std::size_t>(width));
            s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
        }
        out.push_back(std::move(s));
    }
    return out;
}

// A scalar (shape () or (1,)) as text: numbers in shortest form, bools as true/false, strings as is.
std::string scalar_text(const SmallArray& a, const std::string& what) {
    if (a.header.count != 1) throw InputError(what + " has shape " + shape_text(a.header.shape) + ", expected one value");
    const std::vector<std::string> strings = string_items(a, what);
    if (!strings.empty()) return strings[0];
    const std::string& d = a.header.descr;
    const auto* p = reinterpret_cast<const unsigned char*>(a.data.data());
    const auto need = [&](std::size_t bytes) {
        if (a.data.size() != bytes) throw InputError(what + " holds " + num(a.data.size()) + " bytes, expected " + num(bytes));
    };
    if (d == "|b1") { need(1); return p[0] ? "true" : "false"; }
    if (d == "|u1" || d == "|i1" || d == "<i2" || d == "<u2" || d == "<i4" || d == "<u4" || d == "<i8" || d == "<u8") {
        const std::size_t bytes = d[2] == '1' ? 1 : static_cast<std::size_t>(d[2] - '0');
        need(bytes);
        u64 x = read_le(p, static_cast<int>(bytes));
        if (d[1] == 'i' && bytes < 8 && (x >> (8 * bytes - 1))) return "-1";  // negative: refused later
        if (d[1] == 'i' && bytes == 8 && (x >> 63)) return "-1";
        return num(x);
    }
    if (d == "<f8" || d == "<f4") {
        double x;
        if (d == "<f8") { need(8); std::memcpy(&x, p, 8); }
        else { need(4); float f; std::memcpy(&f, p, 4); x = f; }
        if (!std::isfinite(x)) return "nan";
        return format("%.17g", x);
    }
    throw InputError(what + " has dtype " + in_quotes(d) + ", expected a number, a bool or a string");
}

}  // namespace

// ---- [the capture] -------------------------------------------------------------------------------

AttentionCapture read_npz(const Source& source, const std::string& where) {
    ZipReader zip(source, where);
    zip.read_directory();
    const char* names[3] = {"q", "k", "v"};
    const ZipEntry* entries[3];
    for (int i = 0; i < 3; ++i) {
        entries[i] = zip.find(std::string(names[i]) + ".npy");
        if (!entries[i])
            throw InputError(where + ": no entry '" + names[i] + ".npy' (attention files hold arrays q, k and v)");
    }
    Metadata meta;
    if (const ZipEntry* e = zip.find("tokens.npy")) {
        const std::string what = where + ": tokens";
        const SmallArray a = read_small(zip, *e, where);
        if (a.header.shape.size() != 1) throw InputError(what + " has shape " + shape_text(a.header.shape) + ", expected a list");
        if (a.header.count > static_cast<u64>(kMaxCaptureTokens))
            throw InputError(what + " lists " + num(a.header.count) + " tokens, more than the limit of " + std::to_string(kMaxCaptureTokens));
        std::vector<std::string> tokens = string_items(a, what);
        if (tokens.empty() && a.header.count > 0)
            throw InputError(what + " has dtype " + in_quotes(a.header.descr) + ", expected strings ('<U' or '|S')");
        for (std::size_t i = 0; i < tokens.size(); ++i) check_token(tokens[i], i, where);
        meta.tokens = std::move(tokens);
    }
    if (const ZipEntry* e = zip.find("causal.npy")) {
        const std::string text = scalar_text(read_small(zip, *e, where), where + ": causal");
        set_causal(meta, text, where);
    }
    if (const ZipEntry* e = zip.find("scale.npy")) set_scale(meta, scalar_text(read_small(zip, *e, where), where + ": scale"), where);

    std::unique_ptr<Stream> streams[3];
    NpyHeader headers[3];
    DType types[3];
    for (int i = 0; i < 3; ++i) {
        const std::string what = where + ": tensor '" + names[i] + "'";
        streams[i] = zip.open(*entries[i]);
        headers[i] = read_npy_header(*streams[i], what);
        types[i] = npy_float_type(headers[i].descr, what);
    }
    const Layouts layouts = check_layouts(headers[0].shape, headers[1].shape, headers[2].shape, where);
    AttentionCapture c = assemble(layouts, std::move(meta), where);
    c.container = "npz";
    c.dtype = dtype_name(types[0]);
    std::vector<float>* dest[3] = {&c.q, &c.k, &c.v};
    const Layout* lays[3] = {&layouts.q, &layouts.k, &layouts.v};
    for (int i = 0; i < 3; ++i) {
        const std::string what = where + ": tensor '" + names[i] + "'";
        const u64 need = headers[i].header_bytes + lays[i]->count() * static_cast<u64>(dtype_size(types[i]));
        if (entries[i]->size != need)
            zip.fail("entry " + single_quoted(entries[i]->name) + " declares " + num(entries[i]->size) +
                     " bytes but its header and shape need " + num(need));
        dest[i]->resize(static_cast<std::size_t>(lays[i]->count()));
        decode(*streams[i], types[i], *lays[i], dest[i]->data(), what);
        zip.verify(*entries[i], *streams[i]);
    }
    return c;
}

}  // namespace attn::tensor_io
