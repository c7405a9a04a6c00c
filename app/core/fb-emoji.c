/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-emoji"

#include "config.h"

#include "fb-emoji-private.h"
#include "fb-message.h"

#include <stdlib.h>
#include <string.h>

/*
 * ntfy turns a message's tags that are emoji short codes into emoji in
 * front of the title. Its clients use GitHub's gemoji aliases; these are
 * the ones people put in scripts and alerts, spelled (including any U+FE0F
 * variation selector) exactly as gemoji's db/emoji.json does.
 *
 * Sorted by strcmp() for bsearch(): the unit tests check the order.
 */
static const FbEmoji emoji_table[] = {
  { "+1",                         "\U0001F44D"       }, /* 👍 */
  { "-1",                         "\U0001F44E"       }, /* 👎 */
  { "100",                        "\U0001F4AF"       }, /* 💯 */
  { "alarm_clock",                "\u23F0"           }, /* ⏰ */
  { "arrow_down",                 "\u2B07\uFE0F"     }, /* ⬇️ */
  { "arrow_up",                   "\u2B06\uFE0F"     }, /* ⬆️ */
  { "balloon",                    "\U0001F388"       }, /* 🎈 */
  { "bangbang",                   "\u203C\uFE0F"     }, /* ‼️ */
  { "battery",                    "\U0001F50B"       }, /* 🔋 */
  { "beer",                       "\U0001F37A"       }, /* 🍺 */
  { "bell",                       "\U0001F514"       }, /* 🔔 */
  { "birthday",                   "\U0001F382"       }, /* 🎂 */
  { "black_circle",               "\u26AB"           }, /* ⚫ */
  { "bomb",                       "\U0001F4A3"       }, /* 💣 */
  { "boom",                       "\U0001F4A5"       }, /* 💥 */
  { "broken_heart",               "\U0001F494"       }, /* 💔 */
  { "bug",                        "\U0001F41B"       }, /* 🐛 */
  { "bulb",                       "\U0001F4A1"       }, /* 💡 */
  { "calendar",                   "\U0001F4C6"       }, /* 📆 */
  { "camera",                     "\U0001F4F7"       }, /* 📷 */
  { "car",                        "\U0001F697"       }, /* 🚗 */
  { "cat",                        "\U0001F431"       }, /* 🐱 */
  { "cd",                         "\U0001F4BF"       }, /* 💿 */
  { "chart_with_downwards_trend", "\U0001F4C9"       }, /* 📉 */
  { "chart_with_upwards_trend",   "\U0001F4C8"       }, /* 📈 */
  { "checkered_flag",             "\U0001F3C1"       }, /* 🏁 */
  { "cinema",                     "\U0001F3A6"       }, /* 🎦 */
  { "clap",                       "\U0001F44F"       }, /* 👏 */
  { "clipboard",                  "\U0001F4CB"       }, /* 📋 */
  { "closed_lock_with_key",       "\U0001F510"       }, /* 🔐 */
  { "cloud",                      "\u2601\uFE0F"     }, /* ☁️ */
  { "cloud_with_rain",            "\U0001F327\uFE0F" }, /* 🌧️ */
  { "coffee",                     "\u2615"           }, /* ☕ */
  { "collision",                  "\U0001F4A5"       }, /* 💥 */
  { "computer",                   "\U0001F4BB"       }, /* 💻 */
  { "construction",               "\U0001F6A7"       }, /* 🚧 */
  { "cop",                        "\U0001F46E"       }, /* 👮 */
  { "cry",                        "\U0001F622"       }, /* 😢 */
  { "date",                       "\U0001F4C5"       }, /* 📅 */
  { "desktop_computer",           "\U0001F5A5\uFE0F" }, /* 🖥️ */
  { "dog",                        "\U0001F436"       }, /* 🐶 */
  { "door",                       "\U0001F6AA"       }, /* 🚪 */
  { "droplet",                    "\U0001F4A7"       }, /* 💧 */
  { "dvd",                        "\U0001F4C0"       }, /* 📀 */
  { "earth_americas",             "\U0001F30E"       }, /* 🌎 */
  { "electric_plug",              "\U0001F50C"       }, /* 🔌 */
  { "email",                      "\U0001F4E7"       }, /* 📧 */
  { "envelope",                   "\u2709\uFE0F"     }, /* ✉️ */
  { "exclamation",                "\u2757"           }, /* ❗ */
  { "eyes",                       "\U0001F440"       }, /* 👀 */
  { "facepalm",                   "\U0001F926"       }, /* 🤦 */
  { "file_folder",                "\U0001F4C1"       }, /* 📁 */
  { "fire",                       "\U0001F525"       }, /* 🔥 */
  { "fireworks",                  "\U0001F386"       }, /* 🎆 */
  { "floppy_disk",                "\U0001F4BE"       }, /* 💾 */
  { "gear",                       "\u2699\uFE0F"     }, /* ⚙️ */
  { "ghost",                      "\U0001F47B"       }, /* 👻 */
  { "gift",                       "\U0001F381"       }, /* 🎁 */
  { "globe_with_meridians",       "\U0001F310"       }, /* 🌐 */
  { "green_circle",               "\U0001F7E2"       }, /* 🟢 */
  { "green_heart",                "\U0001F49A"       }, /* 💚 */
  { "grey_exclamation",           "\u2755"           }, /* ❕ */
  { "grey_question",              "\u2754"           }, /* ❔ */
  { "hammer",                     "\U0001F528"       }, /* 🔨 */
  { "headphones",                 "\U0001F3A7"       }, /* 🎧 */
  { "heart",                      "\u2764\uFE0F"     }, /* ❤️ */
  { "heavy_check_mark",           "\u2714\uFE0F"     }, /* ✔️ */
  { "heavy_exclamation_mark",     "\u2757"           }, /* ❗ */
  { "heavy_minus_sign",           "\u2796"           }, /* ➖ */
  { "heavy_multiplication_x",     "\u2716\uFE0F"     }, /* ✖️ */
  { "heavy_plus_sign",            "\u2795"           }, /* ➕ */
  { "hospital",                   "\U0001F3E5"       }, /* 🏥 */
  { "hourglass",                  "\u231B"           }, /* ⌛ */
  { "hourglass_flowing_sand",     "\u23F3"           }, /* ⏳ */
  { "house",                      "\U0001F3E0"       }, /* 🏠 */
  { "inbox_tray",                 "\U0001F4E5"       }, /* 📥 */
  { "incoming_envelope",          "\U0001F4E8"       }, /* 📨 */
  { "information_source",         "\u2139\uFE0F"     }, /* ℹ️ */
  { "iphone",                     "\U0001F4F1"       }, /* 📱 */
  { "joy",                        "\U0001F602"       }, /* 😂 */
  { "key",                        "\U0001F511"       }, /* 🔑 */
  { "keyboard",                   "\u2328\uFE0F"     }, /* ⌨️ */
  { "label",                      "\U0001F3F7\uFE0F" }, /* 🏷️ */
  { "lady_beetle",                "\U0001F41E"       }, /* 🐞 */
  { "large_blue_circle",          "\U0001F535"       }, /* 🔵 */
  { "link",                       "\U0001F517"       }, /* 🔗 */
  { "lock",                       "\U0001F512"       }, /* 🔒 */
  { "loudspeaker",                "\U0001F4E2"       }, /* 📢 */
  { "mag",                        "\U0001F50D"       }, /* 🔍 */
  { "mailbox",                    "\U0001F4EB"       }, /* 📫 */
  { "medal_sports",               "\U0001F3C5"       }, /* 🏅 */
  { "mega",                       "\U0001F4E3"       }, /* 📣 */
  { "memo",                       "\U0001F4DD"       }, /* 📝 */
  { "money_with_wings",           "\U0001F4B8"       }, /* 💸 */
  { "moneybag",                   "\U0001F4B0"       }, /* 💰 */
  { "movie_camera",               "\U0001F3A5"       }, /* 🎥 */
  { "muscle",                     "\U0001F4AA"       }, /* 💪 */
  { "musical_note",               "\U0001F3B5"       }, /* 🎵 */
  { "mute",                       "\U0001F507"       }, /* 🔇 */
  { "no_bell",                    "\U0001F515"       }, /* 🔕 */
  { "no_entry",                   "\u26D4"           }, /* ⛔ */
  { "no_entry_sign",              "\U0001F6AB"       }, /* 🚫 */
  { "ocean",                      "\U0001F30A"       }, /* 🌊 */
  { "ok_hand",                    "\U0001F44C"       }, /* 👌 */
  { "orange_circle",              "\U0001F7E0"       }, /* 🟠 */
  { "outbox_tray",                "\U0001F4E4"       }, /* 📤 */
  { "package",                    "\U0001F4E6"       }, /* 📦 */
  { "partying_face",              "\U0001F973"       }, /* 🥳 */
  { "pencil2",                    "\u270F\uFE0F"     }, /* ✏️ */
  { "phone",                      "\u260E\uFE0F"     }, /* ☎️ */
  { "pill",                       "\U0001F48A"       }, /* 💊 */
  { "pizza",                      "\U0001F355"       }, /* 🍕 */
  { "point_right",                "\U0001F449"       }, /* 👉 */
  { "poop",                       "\U0001F4A9"       }, /* 💩 */
  { "pray",                       "\U0001F64F"       }, /* 🙏 */
  { "printer",                    "\U0001F5A8\uFE0F" }, /* 🖨️ */
  { "pushpin",                    "\U0001F4CC"       }, /* 📌 */
  { "question",                   "\u2753"           }, /* ❓ */
  { "radio",                      "\U0001F4FB"       }, /* 📻 */
  { "rage",                       "\U0001F621"       }, /* 😡 */
  { "rainbow",                    "\U0001F308"       }, /* 🌈 */
  { "raised_hands",               "\U0001F64C"       }, /* 🙌 */
  { "recycle",                    "\u267B\uFE0F"     }, /* ♻️ */
  { "red_circle",                 "\U0001F534"       }, /* 🔴 */
  { "robot",                      "\U0001F916"       }, /* 🤖 */
  { "rocket",                     "\U0001F680"       }, /* 🚀 */
  { "rotating_light",             "\U0001F6A8"       }, /* 🚨 */
  { "satellite",                  "\U0001F4E1"       }, /* 📡 */
  { "scream",                     "\U0001F631"       }, /* 😱 */
  { "see_no_evil",                "\U0001F648"       }, /* 🙈 */
  { "shield",                     "\U0001F6E1\uFE0F" }, /* 🛡️ */
  { "shrug",                      "\U0001F937"       }, /* 🤷 */
  { "skull",                      "\U0001F480"       }, /* 💀 */
  { "skull_and_crossbones",       "\u2620\uFE0F"     }, /* ☠️ */
  { "smile",                      "\U0001F604"       }, /* 😄 */
  { "snowflake",                  "\u2744\uFE0F"     }, /* ❄️ */
  { "sob",                        "\U0001F62D"       }, /* 😭 */
  { "sos",                        "\U0001F198"       }, /* 🆘 */
  { "sound",                      "\U0001F509"       }, /* 🔉 */
  { "sparkles",                   "\u2728"           }, /* ✨ */
  { "speech_balloon",             "\U0001F4AC"       }, /* 💬 */
  { "star",                       "\u2B50"           }, /* ⭐ */
  { "stop_sign",                  "\U0001F6D1"       }, /* 🛑 */
  { "stopwatch",                  "\u23F1\uFE0F"     }, /* ⏱️ */
  { "sunglasses",                 "\U0001F60E"       }, /* 😎 */
  { "sunny",                      "\u2600\uFE0F"     }, /* ☀️ */
  { "syringe",                    "\U0001F489"       }, /* 💉 */
  { "tada",                       "\U0001F389"       }, /* 🎉 */
  { "telephone",                  "\u260E\uFE0F"     }, /* ☎️ */
  { "thermometer",                "\U0001F321\uFE0F" }, /* 🌡️ */
  { "thinking",                   "\U0001F914"       }, /* 🤔 */
  { "thumbsdown",                 "\U0001F44E"       }, /* 👎 */
  { "thumbsup",                   "\U0001F44D"       }, /* 👍 */
  { "tornado",                    "\U0001F32A\uFE0F" }, /* 🌪️ */
  { "triangular_flag_on_post",    "\U0001F6A9"       }, /* 🚩 */
  { "trophy",                     "\U0001F3C6"       }, /* 🏆 */
  { "tv",                         "\U0001F4FA"       }, /* 📺 */
  { "umbrella",                   "\u2614"           }, /* ☔ */
  { "unlock",                     "\U0001F513"       }, /* 🔓 */
  { "video_game",                 "\U0001F3AE"       }, /* 🎮 */
  { "warning",                    "\u26A0\uFE0F"     }, /* ⚠️ */
  { "wastebasket",                "\U0001F5D1\uFE0F" }, /* 🗑️ */
  { "wave",                       "\U0001F44B"       }, /* 👋 */
  { "whale",                      "\U0001F433"       }, /* 🐳 */
  { "white_check_mark",           "\u2705"           }, /* ✅ */
  { "white_circle",               "\u26AA"           }, /* ⚪ */
  { "wrench",                     "\U0001F527"       }, /* 🔧 */
  { "x",                          "\u274C"           }, /* ❌ */
  { "yellow_circle",              "\U0001F7E1"       }, /* 🟡 */
  { "zap",                        "\u26A1"           }, /* ⚡ */
  { "zzz",                        "\U0001F4A4"       }, /* 💤 */
};

const FbEmoji *
_fb_emoji_get_table (gsize *n_entries)
{
  g_return_val_if_fail (n_entries != NULL, NULL);

  *n_entries = G_N_ELEMENTS (emoji_table);
  return emoji_table;
}

static int
compare_tag (const void *key,
             const void *member)
{
  const FbEmoji *entry = member;

  return strcmp (key, entry->tag);
}

/**
 * fb_emoji_for_tag:
 * @tag: an ntfy tag, such as "warning"
 *
 * Returns: (nullable): the emoji for the gemoji short code @tag (⚠️ for
 *   "warning"), or %NULL when @tag is not one (it is then a plain tag).
 */
const char *
fb_emoji_for_tag (const char *tag)
{
  const FbEmoji *entry;

  if (tag == NULL || *tag == '\0')
    return NULL;

  entry = bsearch (tag, emoji_table, G_N_ELEMENTS (emoji_table), sizeof emoji_table[0],
                   compare_tag);
  return entry != NULL ? entry->emoji : NULL;
}
