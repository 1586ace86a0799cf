// Unicode character classes and simple case mappings with the meaning of
// Go's unicode package (starlark-go's string methods are defined by it):
// letters are category L, digits Nd, upper/lower/title Lu/Ll/Lt, printable
// is L M N P S plus the ASCII space, space is the White_Space property, and
// case mappings are the one-to-one ("simple") mappings of UnicodeData.txt.
// Tables are generated (RuneTables.inc by gen_rune_tables.pl); ASCII takes
// a fast path.
#pragma once

namespace faultbox::star::runes {

bool is_letter(char32_t r);
bool is_digit(char32_t r);
bool is_upper(char32_t r);
bool is_lower(char32_t r);
bool is_title(char32_t r);
bool is_space(char32_t r);
bool is_print(char32_t r);

char32_t to_upper(char32_t r);
char32_t to_lower(char32_t r);
char32_t to_title(char32_t r);

// Whether r takes part in case distinctions: ASCII letters, or any rune
// that Go's unicode.SimpleFold would map to another rune (it has an
// upper/lower/title counterpart or is one).
bool is_cased(char32_t r);

}  // namespace faultbox::star::runes
