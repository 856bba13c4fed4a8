<?php
// php-soap interop server: PHP SoapServer in WSDL mode (document/literal wrapped, SOAP 1.1 + 1.2),
// run as the router script of the PHP built-in web server (php -S 127.0.0.1:PORT server.php).
// GET /CustomerService?wsdl (or /CustomerService.wsdl) -> WSDL; POST /CustomerService -> SOAP.
ini_set('soap.wsdl_cache_enabled', '0');
// start.sh writes the WSDL (with this server's address) and names it in INTEROP_WSDL_FILE.
$wsdlFile = getenv('INTEROP_WSDL_FILE') ?: __DIR__ . '/runtime/CustomerService.wsdl';
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);

if ($_SERVER['REQUEST_METHOD'] === 'GET') {
    if (($path === '/CustomerService' && isset($_GET['wsdl'])) || $path === '/CustomerService.wsdl') {
        header('Content-Type: text/xml; charset=utf-8');
        readfile($wsdlFile);
    } else {
        http_response_code(404);
        header('Content-Type: text/plain');
        echo "try GET /CustomerService?wsdl\n";
    }
    return true;
}
if ($path !== '/CustomerService') {
    http_response_code(404);
    return true;
}

class CustomerServiceImpl
{
    // document/literal wrapped: each method gets one stdClass (the wrapper element's children)
    // and returns an array shaped like the response wrapper element.
    public function EchoScalars($req)
    {
        return [
            'text'   => $req->text,
            'number' => $req->number,
            'flag'   => $req->flag,
            'amount' => $req->amount,
            'when'   => $req->when,
        ];
    }

    public function GetCustomer($req)
    {
        $id = (int)$req->customerId;
        return ['customer' => [
            'id'        => $id,
            'name'      => "Customer $id",
            'email'     => "customer$id@example.com",
            'vip'       => $id % 2 == 0,
            'balance'   => '1234.56',
            'createdAt' => '2024-01-15T10:30:00Z',
            'address'   => [
                'street'     => '1 Main Street',
                'city'       => 'Springfield',
                'postalCode' => '12345',
                'country'    => 'US',
            ],
        ]];
    }

    private static function order($customerId, $i)
    {
        return [
            'orderId'    => sprintf('ORD-%d-%d', $customerId, $i),
            'customerId' => $customerId,
            'amount'     => sprintf('%d.50', $i * 10),
            'status'     => $i % 2 == 1 ? 'OPEN' : 'SHIPPED',
            'placedAt'   => '2024-02-01T12:00:00Z',
        ];
    }

    public function ListOrders($req)
    {
        $cid = (int)$req->customerId;
        $n = max(0, min(1000, (int)$req->count));
        $orders = [];
        for ($i = 1; $i <= $n; $i++) {
            $orders[] = self::order($cid, $i);
        }
        return ['order' => $orders];
    }

    public function PlaceOrder($req)
    {
        $cid = (int)$req->customerId;
        $qty = (int)$req->quantity;
        if ($cid <= 0) {
            throw new SoapFault('Client', 'Unknown customer', null,
                ['code' => 'UNKNOWN_CUSTOMER', 'message' => "customer $cid does not exist"], 'OrderFault');
        }
        if ($qty <= 0) {
            throw new SoapFault('Client', 'Invalid quantity', null,
                ['code' => 'INVALID_QUANTITY', 'message' => 'quantity must be positive'], 'OrderFault');
        }
        return ['order' => [
            'orderId'    => "ORD-$cid-NEW",
            'customerId' => $cid,
            'amount'     => sprintf('%.2f', $qty * 2.5),
            'status'     => 'PLACED',
            'placedAt'   => '2024-03-01T09:00:00Z',
        ]];
    }
}

$server = new SoapServer($wsdlFile, [
    'cache_wsdl' => WSDL_CACHE_NONE,
    'features'   => SOAP_SINGLE_ELEMENT_ARRAYS,
    'encoding'   => 'UTF-8',
]);
$server->setObject(new CustomerServiceImpl());
$server->handle();
return true;
