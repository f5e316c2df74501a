/* Benchmark baseline for benches/web-bench.sh: the C libfcgi hello-world responder (FCGX_Accept_r loop on fd 0). */
#include <fcgiapp.h>

int main(void)
{
    FCGX_Request request;

    if (FCGX_Init() != 0 || FCGX_InitRequest(&request, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\n"
                  "Hello, world!\n", request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}
