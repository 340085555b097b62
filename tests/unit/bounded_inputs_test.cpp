// Inputs that are not what they claim: a data path naming a device, a folder, a huge file or a
// system file is refused by name, and no message echoes more than a short excerpt of any input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/config_error.h"
#include "config/experiment.h"
#include "test_support.h"

namespace deterrence {
namespace {

using testing::TempDir;

std::string error_with_countries(const std::string& countries_path) {
  TempDir dir;
  const std::string path = dir.write("probe.yaml", std::string("extends: ") + DETERRENCE_CONFIGS +
                                                       "/baseline.yaml\nmodel_options:\n  countries: " + countries_path + "\n");
  try {
    load_experiment(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(BoundedInputs, ADeviceIsNotADataFile) {
  const std::string message = error_with_countries("/dev/zero");
  EXPECT_NE(message.find("/dev/zero: not a regular file"), std::string::npos) << message;
}

TEST(BoundedInputs, AFolderIsNotADataFile) {
  const std::string message = error_with_countries("/tmp");
  EXPECT_NE(message.find("/tmp: is a folder, not a file"), std::string::npos) << message;
}

TEST(BoundedInputs, AHugeFileIsRefusedBeforeItIsRead) {
  TempDir dir;
  const std::string big = dir.file("big.yaml");
  {
    std::ofstream out(big);
    const std::string line(1023, 'x');
    for (int i = 0; i < 17 * 1024; ++i) out << line << '\n';
  }
  const std::string message = error_with_countries(big);
  EXPECT_NE(message.find("more than the 16 MiB a config or data file may have"), std::string::npos) << message;
}

TEST(BoundedInputs, MessagesQuoteAShortExcerptOnly) {
  // /etc/passwd parses as one long scalar: the message names it but quotes at most 80 characters.
  const std::string message = error_with_countries("/etc/passwd");
  EXPECT_LT(message.size(), 400u) << message;
  EXPECT_NE(message.find("characters)"), std::string::npos) << message;
  // Control characters are escaped, never written to the terminal.
  TempDir dir;
  const std::string path = dir.write("bad.yaml", "model: \"ish\\e[31migami\"\ndraws: 1\nseed: 1\n");
  std::string text;
  try {
    load_experiment(path);
  } catch (const ConfigError& e) {
    text = e.what();
  }
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_NE(text.find("\\x1b"), std::string::npos) << text;
}

TEST(BoundedInputs, ANumericalFailureIsAnErrorNotADoesNotApply) {
  // b·x3⁴ overflows: y is no number. The run stops, naming the draw, the output and the values;
  // it does not count the rest and exit 0 as if y did not apply to those draws.
  TempDir dir;
  const std::string config = dir.write("overflow.yaml", std::string("model: ishigami\ndraws: 1000\nseed: 1\n") +
                                                            "model_options: {a: 7, b: 1e308}\n" +
                                                            testing::kIshigamiParameters);
  const std::string log = dir.file("log");
  EXPECT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " run " + config + " --quiet --out " + dir.file("o.h5"), log), 1);
  const std::string text = testing::read_text(log);
  EXPECT_NE(text.find("numerical failure: draw "), std::string::npos) << text;
  EXPECT_NE(text.find(" gave y = "), std::string::npos) << text;
  EXPECT_NE(text.find("x1 = "), std::string::npos) << text;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.h5")));
}

TEST(BoundedInputs, CommandLineNumbersObeyTheConfigsLimits) {
  TempDir dir;
  const std::string config = dir.write("i.yaml", std::string("model: ishigami\ndraws: 100\nseed: 1\n") +
                                                     "model_options: {a: 7, b: 0.1}\n" + testing::kIshigamiParameters);
  const auto refused = [&](const std::string& args, const std::string& message) {
    const std::string log = dir.file("log");
    EXPECT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " run " + config + " " + args + " --quiet --out " +
                                 dir.file("o.h5"),
                             log),
              2)
        << args;
    EXPECT_NE(testing::read_text(log).find(message), std::string::npos) << args << ": " << testing::read_text(log);
  };
  refused("--seed 18446744073709551616", "18446744073709551616 overflows: the largest accepted is 9223372036854775807");
  refused("--seed 9223372036854775808", "overflows");  // the config refuses it too: no silent clamp
  refused("--draws 18446744073709551615", "overflows");
  refused("--draws 0", "0 is below 1");
  refused("--checkpoint-every nan", "'nan' is not a finite number of seconds > 0");
  refused("--checkpoint-every -5", "is not a finite number of seconds > 0");
  EXPECT_EQ(testing::shell(std::string(DETERRENCE_BINARY) + " run " + config +
                           " --seed 9223372036854775807 --quiet --out " + dir.file("o.h5")),
            0);
}

}  // namespace
}  // namespace deterrence
