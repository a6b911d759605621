/*
 * netfence: the chained CNI plugin's front end (CNI specification 1.0).
 *
 * Why C and so little of it: a container runtime runs the plugin once per pod ADD, DEL and CHECK,
 * and a JVM start costs more than the whole rest of an ADD (see enforcer/README.md). Every decision
 * (parsing the network configuration and prevResult, CNI_ARGS, the spec's error codes, putting the
 * pod's addresses under the fail-closed rule) is made in Java by the node's enforcer
 * (dev.netfence.enforcer.cni.CniRequestHandler). This program only forwards the CNI environment
 * and stdin over the enforcer's unix socket and copies the answer to stdout and the exit status.
 *
 * What it decides itself, because it must work while the enforcer is not running:
 *   - VERSION is answered here (the runtime asks it before anything else);
 *   - DEL succeeds when the enforcer is unreachable: the spec says DEL must not fail for an
 *     unknown container, and a pod must be deletable on a node whose enforcer is gone;
 *   - ADD and CHECK fail with code 11 ("try again later"): fail-closed, the kubelet retries the
 *     pod's sandbox until the enforcer answers;
 *   - except for a pod of a namespace in the configuration's "exemptNamespaces" (written by the
 *     enforcer's installer from netfence.cluster.exempt-namespaces): such a pod is never held, so
 *     ADD returns prevResult unchanged and CHECK succeeds, and kube-system (DNS, the CNI's own pods)
 *     starts on a node whose enforcer is not running.
 *
 * Wire format to the enforcer (one connection per call):
 *   "NETFENCE-CNI 1\n", then NAME=value lines for the CNI_* variables, an empty line, stdin's
 *   bytes, then end of stream (shutdown of the write side). The answer is the exit status in
 *   decimal and "\n", then the bytes for stdout, then end of stream.
 *
 * The socket path is the configuration's top-level "socket" string (default /run/netfence/cni.sock).
 * The answer timeout (60 s) is longer than the enforcer's own longest wait of an ADD
 * (netfence.enforcer.cni.add-timeout and, if configured, the wait for the pod's rules).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/netfence/cni.sock"
#define MAX_STDIN (4 * 1024 * 1024)
#define ANSWER_TIMEOUT_SECONDS 60
#define SUPPORTED "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]"

static const char *const FORWARDED[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME",
                                        "CNI_ARGS", "CNI_PATH", NULL};

static char config_version[32] = "1.0.0";

/* Prints the spec's error object (msg holds no quote, backslash or control character) and exits 1. */
static void fail(int code, const char *msg, const char *details) {
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"%s\"", config_version, code, msg);
    if (details != NULL) {
        printf(",\"details\":\"");
        for (const char *p = details; *p; p++) {
            putchar(*p == '"' || *p == '\\' || (unsigned char) *p < 0x20 ? '?' : *p);
        }
        putchar('"');
    }
    printf("}\n");
    exit(1);
}

/*
 * The index of the value of a top-level member of a JSON object (after its ':' and blanks), or -1
 * when there is none. A scan, not a parser: strings and nesting are skipped so that a key inside
 * prevResult or inside a string is never taken; the enforcer parses and validates the whole document.
 */
static long top_level_value(const char *json, size_t len, const char *key) {
    int depth = 0;
    int expect_key = 0;
    size_t klen = strlen(key);
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (c == '"') {
            size_t start = ++i;
            while (i < len && json[i] != '"') {
                i += json[i] == '\\' ? 2 : 1;
            }
            if (i >= len) {
                return -1;
            }
            if (depth == 1 && expect_key && i - start == klen && memcmp(json + start, key, klen) == 0) {
                size_t j = i + 1;
                while (j < len && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r')) {
                    j++;
                }
                if (j >= len || json[j] != ':') {
                    return -1;
                }
                for (j++; j < len && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r'); j++) {
                }
                return j < len ? (long) j : -1;
            }
            expect_key = 0;
        } else if (c == '{' || c == '[') {
            depth++;
            expect_key = c == '{';
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',') {
            expect_key = 1;
        }
    }
    return -1;
}

/* Copies a plain JSON string (no escapes) starting at json[at] into out; 0 when it is none or does not fit. */
static int string_at(const char *json, size_t len, long at, char *out, size_t out_size) {
    if (at < 0 || json[at] != '"') {
        return 0;
    }
    size_t vstart = (size_t) at + 1;
    size_t j = vstart;
    while (j < len && json[j] != '"' && json[j] != '\\') {
        j++;
    }
    if (j >= len || json[j] != '"' || j - vstart + 1 > out_size) {
        return 0;
    }
    memcpy(out, json + vstart, j - vstart);
    out[j - vstart] = '\0';
    return 1;
}

static int top_level_string(const char *json, size_t len, const char *key, char *out, size_t out_size) {
    return string_at(json, len, top_level_value(json, len, key), out, out_size);
}

/* The length of the object or array starting at json[at] (strings skipped), or 0 when it does not close. */
static size_t composite_length(const char *json, size_t len, long at) {
    int depth = 0;
    for (size_t i = (size_t) at; i < len; i++) {
        char c = json[i];
        if (c == '"') {
            for (i++; i < len && json[i] != '"'; i += json[i] == '\\' ? 2 : 1) {
            }
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                return i + 1 - (size_t) at;
            }
        }
    }
    return 0;
}

/*
 * Whether the configuration's top-level "exemptNamespaces" (a list of plain strings the enforcer's
 * installer writes: netfence.cluster.exempt-namespaces) holds namespace.
 */
static int exempt(const char *json, size_t len, const char *namespace) {
    long at = top_level_value(json, len, "exemptNamespaces");
    if (at < 0 || json[at] != '[' || *namespace == '\0') {
        return 0;
    }
    size_t n = composite_length(json, len, at);
    char name[64];
    for (size_t i = (size_t) at + 1; i < (size_t) at + n; i++) {
        if (json[i] == '"') {
            if (string_at(json, len, (long) i, name, sizeof name) && strcmp(name, namespace) == 0) {
                return 1;
            }
            for (i++; i < len && json[i] != '"'; i += json[i] == '\\' ? 2 : 1) {
            }
        }
    }
    return 0;
}

/* K8S_POD_NAMESPACE from CNI_ARGS ("K=V;K=V", as the kubelet passes it) into out, or "". */
static void pod_namespace(char *out, size_t out_size) {
    const char *args = getenv("CNI_ARGS");
    const char *key = "K8S_POD_NAMESPACE=";
    *out = '\0';
    for (const char *p = args; p != NULL && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
        if (strncmp(p, key, strlen(key)) == 0) {
            const char *v = p + strlen(key);
            size_t n = strcspn(v, ";");
            if (n < out_size) {
                memcpy(out, v, n);
                out[n] = '\0';
            }
            return;
        }
    }
}

/*
 * The enforcer is unreachable. A pod of an exempt namespace is never held, so it need not wait for
 * the enforcer either: ADD returns prevResult unchanged (the spec's result of a chained plugin that
 * changes nothing), CHECK succeeds. Anything else fails with 11 (the pod waits, fail-closed).
 */
static void unreachable(int is_add, const char *config, size_t len, const char *msg, const char *details) {
    char namespace[64];
    pod_namespace(namespace, sizeof namespace);
    if (exempt(config, len, namespace)) {
        if (!is_add) {
            exit(0);
        }
        long at = top_level_value(config, len, "prevResult");
        size_t n = at >= 0 && config[at] == '{' ? composite_length(config, len, at) : 0;
        if (n > 0) {
            fwrite(config + at, 1, n, stdout);
            putchar('\n');
            exit(0);
        }
    }
    fail(11, msg, details);
}

static char *read_stdin(size_t *len) {
    size_t cap = 65536;
    char *buf = malloc(cap);
    *len = 0;
    for (;;) {
        if (buf == NULL) {
            fail(5, "out of memory reading the network configuration", NULL);
        }
        ssize_t n = read(STDIN_FILENO, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail(5, "cannot read the network configuration from stdin", strerror(errno));
        }
        if (n == 0) {
            return buf;
        }
        *len += (size_t) n;
        if (*len > MAX_STDIN) {
            fail(6, "the network configuration on stdin is larger than 4 MiB", NULL);
        }
        if (*len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

int main(void) {
    const char *command = getenv("CNI_COMMAND");
    if (command == NULL || *command == '\0') {
        fail(4, "CNI_COMMAND is not set: netfence is a CNI plugin, run by a container runtime", NULL);
    }
    if (strcmp(command, "VERSION") == 0) {
        printf("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":" SUPPORTED "}\n");
        return 0;
    }
    size_t len;
    char *config = read_stdin(&len);
    char version[sizeof config_version];
    if (top_level_string(config, len, "cniVersion", version, sizeof version)) {
        memcpy(config_version, version, sizeof version);
    }
    char path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
    if (!top_level_string(config, len, "socket", path, sizeof path)) {
        strcpy(path, DEFAULT_SOCKET);
    }
    int is_del = strcmp(command, "DEL") == 0;
    int is_add = strcmp(command, "ADD") == 0;

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, path);
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        if (is_del) {
            return 0; /* nothing to release on a node whose enforcer is gone */
        }
        unreachable(is_add, config, len, "the netfence enforcer of this node is not reachable: the pod waits until it runs",
                    strerror(errno));
    }
    struct timeval timeout = {.tv_sec = ANSWER_TIMEOUT_SECONDS};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    char header[16384];
    size_t h = (size_t) snprintf(header, sizeof header, "NETFENCE-CNI 1\n");
    for (int i = 0; FORWARDED[i] != NULL; i++) {
        const char *value = getenv(FORWARDED[i]);
        if (value == NULL) {
            continue;
        }
        if (strchr(value, '\n') != NULL) {
            fail(4, "a CNI environment variable holds a newline", FORWARDED[i]);
        }
        int n = snprintf(header + h, sizeof header - h, "%s=%s\n", FORWARDED[i], value);
        if (n < 0 || (size_t) n >= sizeof header - h - 1) {
            fail(4, "the CNI environment variables are longer than 16 KiB", FORWARDED[i]);
        }
        h += (size_t) n;
    }
    header[h++] = '\n';
    if (write_all(fd, header, h) != 0 || write_all(fd, config, len) != 0) {
        if (is_del) {
            return 0;
        }
        unreachable(is_add, config, len, "the netfence enforcer of this node closed the connection: the pod waits until"
                    " it answers", strerror(errno));
    }
    shutdown(fd, SHUT_WR);

    char buf[65536];
    int status = -1;
    char digits[8];
    size_t nd = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            if (is_del) {
                return 0;
            }
            fail(11, "no answer from the netfence enforcer of this node within 60 s", strerror(errno));
        }
        if (n == 0) {
            break;
        }
        ssize_t off = 0;
        while (status < 0 && off < n) {
            char c = buf[off++];
            if (c == '\n') {
                digits[nd] = '\0';
                status = nd > 0 ? atoi(digits) : 1;
            } else if (c >= '0' && c <= '9' && nd < sizeof digits - 1) {
                digits[nd++] = c;
            } else {
                fail(5, "the netfence enforcer answered in an unknown format", NULL);
            }
        }
        if (off < n && write_all(STDOUT_FILENO, buf + off, (size_t) (n - off)) != 0) {
            return 1;
        }
    }
    if (status < 0) {
        if (is_del) {
            return 0;
        }
        fail(11, "the netfence enforcer of this node closed the connection without an answer", NULL);
    }
    return status;
}
